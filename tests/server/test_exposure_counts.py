"""The exposure check's counts against a plain count in Python, on a small mixed data set.

The check counts in a few grouped statements (switches with the same condition share one
column; contacts through one join per kind; samples in one UNION per kind). Here every figure
is recomputed the slow, obvious way from the rows themselves, for many random pairs of
published and proposed policies, and must be equal: records, contacts, and the samples' rules.
"""

from __future__ import annotations

import hashlib
import random
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from server.db.models import (
    Contact,
    Customer,
    Document,
    Invoice,
    Job,
    Photo,
    PortalAccount,
    Quote,
    StoredFile,
    Workspace,
)
from server.domain import exposure as exposure_module
from server.domain.exposure import exposure
from server.wire.visibility import ACTIONS, FIELDS, JOB_STATUSES, SECTIONS, VisibilityPolicy
from tests.server.conftest import Server
from tests.support.workspaces import TestWorkspace

MODELS: dict[str, Any] = {
    "job": Job,
    "quote": Quote,
    "invoice": Invoice,
    "document": Document,
    "photo": Photo,
}
KIND = {"jobs": "job", "quotes": "quote", "invoices": "invoice"}
KIND |= {"documents": "document", "photos": "photo"}

# The records a switch is about, written out plainly (not taken from the code under test).
PLAIN: dict[str, Callable[[Any], bool]] = {
    "jobs.description": lambda r: r.description is not None,
    "jobs.scheduled_time": lambda r: r.scheduled_start is not None,
    "jobs.address": lambda r: r.address_id is not None,
    "jobs.technician_name": lambda r: r.technician_name is not None,
    "jobs.internal_notes": lambda r: r.internal_notes is not None,
    "jobs.completed_at": lambda r: r.completed_at is not None,
    "quotes.notes": lambda r: r.notes is not None,
    "quotes.expires_at": lambda r: r.expires_at is not None,
    "invoices.due_at": lambda r: r.due_at is not None,
    "documents.job_link": lambda r: r.job_id is not None,
    "photos.caption": lambda r: r.caption is not None,
    "photos.taken_at": lambda r: r.taken_at is not None,
    "photos.job_link": lambda r: r.job_id is not None,
    "action.approve_quotes": lambda r: r.status == "pending",
    "action.pay_invoices": lambda r: r.balance_cents > 0,
}


def _maybe(rng: random.Random, value: Any) -> Any:
    return value if rng.random() < 0.6 else None


def _fill(db: Session, ws_id: int, rng: random.Random) -> None:
    """Customers with every mix: no contacts, contacts without access, invited, active and
    disabled accounts; records with fields filled or empty; files shared or not."""
    now = datetime.now(UTC)
    data = b"%PDF-1.4 test"
    stored = StoredFile(
        workspace_id=ws_id,
        content_type="application/pdf",
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        data=data,
    )
    db.add(stored)
    db.flush()
    for c in range(14):
        customer = Customer(workspace_id=ws_id, name=f"Customer {c}", sort_name=f"c{c:02d}")
        db.add(customer)
        db.flush()
        for p in range(rng.randrange(4)):
            email = f"c{c}p{p}.{rng.randrange(10**9)}@example.net"
            contact = Contact(
                workspace_id=ws_id,
                customer_id=customer.id,
                name=f"Contact {c}-{p}",
                email=email,
                email_normalized=email,
                is_primary=p == 0,
            )
            db.add(contact)
            db.flush()
            status = rng.choice([None, "invited", "active", "disabled"])
            if status is not None:
                db.add(
                    PortalAccount(
                        workspace_id=ws_id,
                        contact_id=contact.id,
                        customer_id=customer.id,
                        email_normalized=email,
                        status=status,
                    )
                )
        jobs = []
        for j in range(rng.randrange(5)):
            job = Job(
                workspace_id=ws_id,
                customer_id=customer.id,
                number=f"J{c}-{j}",
                title="Visit",
                description=_maybe(rng, "Fix it"),
                internal_status=rng.choice(list(JOB_STATUSES)),
                technician_name=_maybe(rng, "Ray"),
                internal_notes=_maybe(rng, "Dog in the yard"),
                scheduled_start=_maybe(rng, now + timedelta(days=j)),
                completed_at=_maybe(rng, now - timedelta(days=j)),
            )
            db.add(job)
            jobs.append(job)
        db.flush()
        for q in range(rng.randrange(3)):
            db.add(
                Quote(
                    workspace_id=ws_id,
                    customer_id=customer.id,
                    number=f"Q{c}-{q}",
                    title="Boiler",
                    status=rng.choice(["pending", "approved", "declined", "expired"]),
                    notes=_maybe(rng, "Includes parts"),
                    expires_at=_maybe(rng, now + timedelta(days=9)),
                )
            )
        for i in range(rng.randrange(3)):
            db.add(
                Invoice(
                    workspace_id=ws_id,
                    customer_id=customer.id,
                    number=f"I{c}-{i}",
                    balance_cents=rng.choice([0, 0, 1200]),
                    due_at=_maybe(rng, now + timedelta(days=14)),
                )
            )
        for f in range(rng.randrange(3)):
            job_id = rng.choice(jobs).id if jobs and rng.random() < 0.6 else None
            review = rng.choice(["shareable", "shareable", "pending", "internal"])
            db.add(
                Document(
                    workspace_id=ws_id,
                    customer_id=customer.id,
                    job_id=job_id,
                    title=f"Report {c}-{f}",
                    filename="report.pdf",
                    file_id=stored.id,
                    review_status=review,
                )
            )
            db.add(
                Photo(
                    workspace_id=ws_id,
                    customer_id=customer.id,
                    job_id=job_id,
                    caption=_maybe(rng, "Before"),
                    taken_at=_maybe(rng, now),
                    file_id=stored.id,
                    review_status=rng.choice(["shareable", "pending"]),
                )
            )
    db.commit()


def _random_policy(rng: random.Random) -> VisibilityPolicy:
    """Any valid policy: each switch and label at random (payment fixed up when it would be
    refused for hiding the balance)."""
    doc: dict[str, Any] = {
        "sections": {s: rng.random() < 0.8 for s in SECTIONS},
        "fields": {s: {f: rng.random() < 0.5 for f in fs} for s, fs in FIELDS.items()},
        "actions": {a: rng.random() < 0.5 for a in ACTIONS},
        "status_labels": {
            s: (label if rng.random() < 0.7 else f"{label} ({rng.randrange(3)})")
            for s, label in JOB_STATUSES.items()
        },
    }
    try:
        return VisibilityPolicy.model_validate(doc)
    except ValidationError:
        doc["actions"]["pay_invoices"] = False
        return VisibilityPolicy.model_validate(doc)


def _plain_matches(switch: str, kind: str, rows: list[Any]) -> list[Any]:
    if switch.startswith("status."):
        status = switch.removeprefix("status.")
        return [r for r in rows if r.internal_status == status]
    keep = PLAIN.get(switch, lambda _r: True)
    return [r for r in rows if keep(r)]


def _check_against_plain_counts(db: Session, ws_id: int, before: VisibilityPolicy) -> None:
    ws = db.get(Workspace, ws_id)
    assert ws is not None
    records: dict[str, list[Any]] = {}
    for kind, model in MODELS.items():
        rows = list(db.scalars(select(model).where(model.workspace_id == ws_id)))
        if kind in ("document", "photo"):  # customers see files only once shared
            rows = [r for r in rows if r.review_status == "shareable"]
        records[kind] = rows
    accounts = list(db.scalars(select(PortalAccount).where(PortalAccount.workspace_id == ws_id)))
    live = [a for a in accounts if a.status != "disabled"]
    first_contact: dict[int, int] = {}
    for a in live:
        first_contact[a.customer_id] = min(a.contact_id, first_contact.get(a.customer_id, 2**62))
    rng = random.Random(ws_id)
    checked = 0
    for _ in range(12):
        after = _random_policy(rng)
        report = exposure(db, ws, after)
        for change in report.changes:
            kind = change.record_kind
            if kind is None:  # request service: every contact with access, no records
                assert (change.records, change.contacts) == (0, len(live)), change.switch
                continue
            matching = _plain_matches(change.switch, kind, records[kind])
            assert change.records == len(matching), change.switch
            if change.becomes == "hidden":
                assert change.contacts is None, change.switch
            else:
                owners = {r.customer_id for r in matching}
                reached = {a.id for a in live if a.customer_id in owners}
                assert change.contacts == len(reached), change.switch
            # Samples: records of this switch, customers with access first, at most SAMPLES.
            ids = {r.id for r in matching}
            with_access = [r for r in matching if r.customer_id in first_contact]
            expected = min(exposure_module.SAMPLES, len(with_access) or len(matching))
            assert len(change.samples) == expected, change.switch
            for sample in change.samples:
                assert sample.kind == kind and sample.id in ids
                assert sample.contact_id == first_contact.get(sample.customer_id)
                if with_access:
                    assert sample.contact_id is not None
            checked += 1
    assert checked > 100  # the random policies did change many switches


@pytest.mark.parametrize("samples", [20, 2])
def test_exposure_counts_equal_plain_counts_for_mixed_policies(
    server: Server, ws: TestWorkspace, samples: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(exposure_module, "SAMPLES", samples)
    rng = random.Random(samples)
    with server.sessionmaker() as db:
        _fill(db, ws.id, rng)
        # A published policy that is not the default, so both directions of a switch occur.
        published = _random_policy(rng)
        w = db.get(Workspace, ws.id)
        assert w is not None
        w.visibility = published.model_dump()
        db.commit()
        _check_against_plain_counts(db, ws.id, published)
