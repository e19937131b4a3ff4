"""The readiness checklist's email counts stay exactly a plain recount while records change.

The counts are kept per server process and brought up to date from the change feed, so each
test writes the way the CRM and the console do (records API, contact edits, customer
deletions, a helper that adds contacts without the feed) and compares after every step with
a recount from the contact rows, by the clean-up's own rules.
"""

from __future__ import annotations

import random
from collections import defaultdict

import httpx
import pytest
from sqlalchemy import select, update

from server.db.models import Contact, Workspace
from server.domain import email_problem_counts
from server.domain.email_problem_counts import problem_counts
from server.domain.emails import email_problem
from tests.server.conftest import Server
from tests.server.records_support import contact_body, customer_body, put
from tests.support.customers import add_customer
from tests.support.workspaces import TestWorkspace

# Few addresses, so contacts keep colliding: case and spacing variants, and invalid ones.
ADDRESSES = [
    "ann@example.com",
    "ANN@example.com ",
    "bob@example.com",
    "office@acme.example",
    "typo@example,com",
    "no-at-sign.example.com",
    "two@@example.com",
    None,
    "",
]


def recount(server: Server, ws_id: int) -> dict[str, int]:
    """The four counts from every contact row, without any kept state."""
    with server.sessionmaker() as s:
        rows = s.execute(
            select(Contact.email_normalized, Contact.customer_id).where(
                Contact.workspace_id == ws_id
            )
        ).all()
    missing = invalid = 0
    holders: dict[str, list[int]] = defaultdict(list)
    for address, customer_id in rows:
        if not address:
            missing += 1
            continue
        invalid += email_problem(address) is not None
        holders[address].append(customer_id)
    return {
        "invalid": invalid,
        "missing": missing,
        "duplicated": sum(1 for c in holders.values() if len(c) > len(set(c))),
        "shared": sum(1 for c in holders.values() if len(set(c)) > 1),
    }


def kept(server: Server, ws_id: int) -> dict[str, int]:
    """The counts as the checklist gets them (the kept tally, brought up to date)."""
    with server.sessionmaker() as s:
        return problem_counts(s, ws_id)


def _customers(c: httpx.Client, n: int) -> None:
    for i in range(n):
        r = put(c, "customers", f"C-{i}", customer_body(f"Customer {i}"))
        assert r.status_code in (200, 201), r.text


def test_counts_match_a_recount_through_random_crm_writes(
    server: Server, ws: TestWorkspace
) -> None:
    c = ws.client()
    _customers(c, 5)
    rng = random.Random(14)
    assert kept(server, ws.id) == recount(server, ws.id)  # the tally is built here
    live: set[str] = set()
    for step in range(60):
        roll = rng.random()
        if roll < 0.65 or not live:
            # Create, re-address or move a contact (the CRM's upsert).
            ext = f"P-{rng.randrange(14)}"
            body = contact_body(
                f"C-{rng.randrange(5)}", email=rng.choice(ADDRESSES), is_primary=False
            )
            r = put(c, "contacts", ext, body)
            assert r.status_code in (200, 201, 409, 422), r.text
            if r.status_code in (200, 201):
                live.add(ext)
        elif roll < 0.85:
            ext = rng.choice(sorted(live))
            assert c.delete(f"/api/v1/records/contacts/{ext}").status_code == 204
            live.discard(ext)
        else:
            # A contact added without the feed, as a bulk load might.
            add_customer(
                server.sessionmaker,
                ws.id,
                f"Loaded {step}",
                [("L", rng.choice(ADDRESSES), None), ("M", rng.choice(ADDRESSES), None)],
            )
        assert kept(server, ws.id) == recount(server, ws.id), f"after step {step}"
    final = recount(server, ws.id)
    assert final["duplicated"] + final["shared"] > 0  # the walk made the problems it counts


def test_counts_follow_customer_deletion_and_console_edits(
    server: Server, ws: TestWorkspace
) -> None:
    c = ws.client()
    _customers(c, 3)
    for ext, customer, email in (
        ("P-1", "C-0", "same@example.com"),
        ("P-2", "C-1", "same@example.com"),
        ("P-3", "C-1", "same@example.com"),
        ("P-4", "C-2", "fine@example.com"),
    ):
        assert put(c, "contacts", ext, contact_body(customer, email=email, is_primary=False))
    assert (
        kept(server, ws.id)
        == recount(server, ws.id)
        == {
            "invalid": 0,
            "missing": 0,
            "duplicated": 1,
            "shared": 1,
        }
    )
    # The customer holding the repeat goes, its contacts with it (tombstones in the feed).
    assert c.delete("/api/v1/records/customers/C-1").status_code == 204
    assert kept(server, ws.id) == recount(server, ws.id)
    assert kept(server, ws.id)["shared"] == 0 and kept(server, ws.id)["duplicated"] == 0
    # An office edit in the console gives the last contact the other's address.
    with server.sessionmaker() as s:
        fine = s.scalar(
            select(Contact).where(Contact.workspace_id == ws.id, Contact.external_id == "P-4")
        )
        assert fine is not None
        fine_id, version = fine.id, fine.version
    r = c.patch(
        f"/api/v1/contacts/{fine_id}",
        json={"email": "Same@Example.com"},
        headers={"If-Match": f'"{version}"'},
    )
    assert r.status_code == 200, r.text
    assert kept(server, ws.id) == recount(server, ws.id)
    assert kept(server, ws.id)["shared"] == 1


def test_a_big_import_or_pruned_feed_regroups_everything(
    server: Server, ws: TestWorkspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    c = ws.client()
    _customers(c, 2)
    assert kept(server, ws.id) == recount(server, ws.id)
    monkeypatch.setattr(email_problem_counts, "MAX_STEP", 3)
    for i in range(5):
        put(c, "contacts", f"P-{i}", contact_body(f"C-{i % 2}", email="x@example.com"))
    assert kept(server, ws.id) == recount(server, ws.id)
    assert kept(server, ws.id)["shared"] == 1
    # Tombstones pruned past the tally: deletions may be gone from the feed.
    assert c.delete("/api/v1/records/contacts/P-0").status_code == 204
    with server.sessionmaker() as s:
        s.execute(update(Workspace).where(Workspace.id == ws.id).values(changes_horizon=10**9))
        s.commit()
    assert kept(server, ws.id) == recount(server, ws.id)


def test_invalid_flag_is_judged_on_every_write(server: Server, ws: TestWorkspace) -> None:
    c = ws.client()
    _customers(c, 1)
    put(c, "contacts", "P-1", contact_body("C-0", email="typo@example,com"))
    with server.sessionmaker() as s:
        row = s.scalar(
            select(Contact).where(Contact.workspace_id == ws.id, Contact.external_id == "P-1")
        )
        assert row is not None and row.email_invalid
    put(c, "contacts", "P-1", contact_body("C-0", email="typo@example.com"))
    with server.sessionmaker() as s:
        row = s.scalar(
            select(Contact).where(Contact.workspace_id == ws.id, Contact.external_id == "P-1")
        )
        assert row is not None and not row.email_invalid
        row.email_normalized = None  # a missing address is missing, not invalid
        s.flush()
        assert not row.email_invalid
