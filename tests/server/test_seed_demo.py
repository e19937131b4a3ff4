"""The demo seed: the promised mix of data, summaries equal to refresh_customer, determinism."""

from __future__ import annotations

import io
import re
import secrets
from collections import Counter

import httpx
import pytest
from PIL import Image
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from server.db.base import utcnow
from server.db.models import (
    AuditEvent,
    Change,
    Contact,
    Customer,
    Document,
    FollowUp,
    Invite,
    Invoice,
    Job,
    Payment,
    Photo,
    PortalAccount,
    Quote,
    QuoteLine,
    ServiceRequest,
    StaffUser,
    StoredFile,
    Workspace,
)
from server.demo.seed import seed_demo
from server.domain import staff as staff_service
from server.domain.changes import record_change
from server.domain.customer_summary import portal_status, refresh_customer
from server.domain.errors import Conflict, Invalid
from server.domain.uploads import clean_image
from server.wire.auth import LOCAL_OWNER_EMAIL
from server.wire.customers import PORTAL_STATUSES
from server.wire.visibility import JOB_STATUSES
from tests.server.conftest import Server

VALID = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
SUMMARY = (
    "primary_contact_id",
    "primary_contact_name",
    "primary_email",
    "address_line",
    "search_text",
    "access_status",
    "access_invite_expires_at",
    "access_locked_until",
    "last_sign_in_at",
)


def _slug() -> str:
    return f"demo-{secrets.token_hex(4)}"


@pytest.fixture(scope="module")
def seeded(server: Server) -> tuple[int, str, str]:
    """One 300-customer demo workspace per backend, shared by the read-only checks."""
    slug = _slug()
    with server.sessionmaker() as session:
        report = seed_demo(session, slug=slug, customers=300, seed=7)
        ws_id = session.scalar(select(Workspace.id).where(Workspace.slug == slug))
    assert ws_id is not None
    return ws_id, slug, report


def _of(session: Session, column, ws_id: int) -> set:  # type: ignore[no-untyped-def]
    table = column.class_
    return set(session.scalars(select(column).where(table.workspace_id == ws_id)))


def test_report_and_workspace(server: Server, seeded: tuple[int, str, str]) -> None:
    ws_id, slug, report = seeded
    assert f"Seeded workspace '{slug}'" in report
    assert "300 customers" in report and re.search(r"in \d+\.\d s", report)
    with server.sessionmaker() as session:
        ws = session.get(Workspace, ws_id)
        assert ws is not None and ws.portal_status == "active"
        assert ws.name == "Brightwater Plumbing & Heating"
        assert ws.branding["brand_name"] == ws.name
        roles = {
            u.role: u.email
            for u in session.scalars(select(StaffUser).where(StaffUser.workspace_id == ws_id))
        }
    assert roles == {r: f"{r}@{slug}.toolbag.test" for r in ("owner", "manager", "dispatcher")}
    assert LOCAL_OWNER_EMAIL == "owner@demo.toolbag.test"


def test_report_counts_the_change_feed_rows_it_made(
    server: Server, seeded: tuple[int, str, str]
) -> None:
    ws_id, _, report = seeded
    found = re.search(r"(-?[\d,]+) change-feed rows", report)
    assert found, report
    with server.sessionmaker() as session:
        rows = session.scalar(
            select(func.count()).select_from(Change).where(Change.workspace_id == ws_id)
        )
        # Each change of a customer's record names that customer (its pages show it).
        jobs = session.execute(
            select(Change.customer_id, Job.customer_id)
            .join(Job, Job.id == Change.entity_id)
            .where(Change.workspace_id == ws_id, Change.entity == "job")
        ).all()
    assert int(found.group(1).replace(",", "")) == rows > 300
    assert jobs and all(named == owner for named, owner in jobs)


def test_every_job_quote_invoice_state(server: Server, seeded: tuple[int, str, str]) -> None:
    ws_id, _, _ = seeded
    with server.sessionmaker() as session:
        assert _of(session, Job.internal_status, ws_id) == set(JOB_STATUSES)
        assert _of(session, Quote.status, ws_id) == {"pending", "approved", "declined", "expired"}
        assert _of(session, Invoice.status, ws_id) == {"open", "paid", "void"}
        jobs = session.scalars(select(Job).where(Job.workspace_id == ws_id)).all()
        scheduled = [j for j in jobs if j.internal_status == "scheduled"]
        assert all(j.scheduled_start and j.scheduled_start > utcnow() for j in scheduled)
        unassigned = ("new", "requested", "declined")  # not (or never to be) assigned yet
        assert all(j.technician_name for j in jobs if j.internal_status not in unassigned)
        assert any(j.internal_notes for j in jobs)
        done = [j for j in jobs if j.internal_status in ("completed", "invoiced")]
        assert done and all(j.completed_at and j.completed_at < utcnow() for j in done)
        # Quotes have lines that add up; approved ones carry the typed name.
        for q in session.scalars(select(Quote).where(Quote.workspace_id == ws_id)):
            lines = session.scalars(select(QuoteLine).where(QuoteLine.quote_id == q.id)).all()
            assert lines and sum(ln.total_cents for ln in lines) == q.total_cents
            assert (q.approved_name is not None) == (q.status == "approved")
        # Balances agree with the payments made.
        for inv in session.scalars(select(Invoice).where(Invoice.workspace_id == ws_id)):
            paid = session.scalar(
                select(func.coalesce(func.sum(Payment.amount_cents), 0)).where(
                    Payment.invoice_id == inv.id
                )
            )
            expected = 0 if inv.status == "void" else inv.total_cents - paid
            assert inv.balance_cents == expected, inv.number
        partly = session.scalar(
            select(func.count())
            .select_from(Invoice)
            .where(Invoice.workspace_id == ws_id, Invoice.status == "open")
        )
        assert partly
        requests = session.scalars(
            select(ServiceRequest).where(ServiceRequest.workspace_id == ws_id)
        ).all()
        assert requests and all(r.job_id for r in requests)


def test_every_portal_state(server: Server, seeded: tuple[int, str, str]) -> None:
    ws_id, _, _ = seeded
    now = utcnow()
    with server.sessionmaker() as session:
        customers = session.scalars(select(Customer).where(Customer.workspace_id == ws_id)).all()
        shown = Counter(portal_status(c, now) for c in customers)
        assert set(shown) == set(PORTAL_STATUSES), shown
        accounts = session.scalars(
            select(PortalAccount).where(PortalAccount.workspace_id == ws_id)
        ).all()
        disabled = [a for a in accounts if a.status == "disabled"]
        assert disabled and all(a.disabled_reason and a.disabled_by_id for a in disabled)
        active = [a for a in accounts if a.status == "active"]
        assert active and all(a.last_sign_in_at and a.password_hash for a in active)
        assert any(a.locked_until and a.locked_until > now for a in active)
        assert all(a.last_action and a.last_action["action"] for a in accounts)
        invites = session.scalars(select(Invite).where(Invite.workspace_id == ws_id)).all()
        assert any(i.expires_at < now and i.used_at is None for i in invites)
        assert any(i.revoked_at is not None for i in invites)
        assert len({i.digest for i in invites}) == len(invites)
        actions = _of(session, AuditEvent.action, ws_id)
        assert {"portal.invite_sent", "portal.invite_accepted", "portal.access_disabled"} <= actions
        assert "portal.locked" in actions


def test_every_email_problem(server: Server, seeded: tuple[int, str, str]) -> None:
    ws_id, _, _ = seeded
    with server.sessionmaker() as session:
        contacts = session.scalars(select(Contact).where(Contact.workspace_id == ws_id)).all()
    assert any(c.email is None for c in contacts)
    assert any(c.email_normalized and not VALID.match(c.email_normalized) for c in contacts)
    by_customer = Counter((c.customer_id, c.email_normalized) for c in contacts if c.email)
    assert any(n > 1 for n in by_customer.values()), "no email duplicated within a customer"
    owners: dict[str, set[int]] = {}
    for c in contacts:
        if c.email_normalized:
            owners.setdefault(c.email_normalized, set()).add(c.customer_id)
    assert any(len(ids) > 1 for ids in owners.values()), "no email shared across customers"
    assert any(c.role == "billing" for c in contacts)
    several = Counter(c.customer_id for c in contacts)
    assert any(n >= 3 for n in several.values())
    # Believable: most contacts have a valid email and a phone.
    valid = sum(1 for c in contacts if c.email_normalized and VALID.match(c.email_normalized))
    assert valid / len(contacts) > 0.8
    assert sum(1 for c in contacts if c.phone) / len(contacts) > 0.8


def test_report_counts_invalid_emails_as_the_clean_up_judges_them(server: Server) -> None:
    # Enough customers that some "broken" addresses come out valid after all (a space put
    # for a dot the local part did not have): the report counted those as invalid too.
    slug = _slug()
    with server.sessionmaker() as session:
        report = seed_demo(session, slug=slug, customers=1500, seed=11)
        ws_id = session.scalar(select(Workspace.id).where(Workspace.slug == slug))
        invalid = session.scalar(
            select(func.count())
            .select_from(Contact)
            .where(Contact.workspace_id == ws_id, Contact.email_invalid.is_(True))
        )
    assert invalid and f"{invalid:,} invalid" in report


def test_files_are_real_and_some_wait_for_review(
    server: Server, seeded: tuple[int, str, str]
) -> None:
    ws_id, _, _ = seeded
    with server.sessionmaker() as session:
        assert "pending" in _of(session, Document.review_status, ws_id)
        assert "pending" in _of(session, Photo.review_status, ws_id)
        assert "shareable" in _of(session, Photo.review_status, ws_id)
        files = session.scalars(select(StoredFile).where(StoredFile.workspace_id == ws_id)).all()
        assert 4 <= len(files) <= 20  # a handful of files, reused by many rows
        for f in files:
            assert f.size == len(f.data)
            if f.content_type == "application/pdf":
                assert f.data.startswith(b"%PDF-") and f.data.rstrip().endswith(b"%%EOF")
                xref = int(f.data.rsplit(b"startxref", 1)[1].split()[0])
                assert f.data[xref:].startswith(b"xref")
            else:
                clean_image(f.data, max_bytes=10_000_000, max_pixels=10_000_000)
                with Image.open(io.BytesIO(f.data)) as img:
                    assert img.size == (f.width, f.height)


def test_summaries_equal_refresh_customer(server: Server, seeded: tuple[int, str, str]) -> None:
    ws_id, _, _ = seeded
    with server.sessionmaker() as session:
        customers = session.scalars(select(Customer).where(Customer.workspace_id == ws_id)).all()
        seeded_values = {c.id: {k: getattr(c, k) for k in SUMMARY} for c in customers}
        for c in customers:
            refresh_customer(session, c)
            assert {k: getattr(c, k) for k in SUMMARY} == seeded_values[c.id], c.name
        session.rollback()


def test_change_feed_has_one_row_per_record(server: Server, seeded: tuple[int, str, str]) -> None:
    ws_id, _, _ = seeded
    with server.sessionmaker() as session:
        rows = session.execute(
            select(Change.seq, Change.entity, Change.entity_id)
            .where(Change.workspace_id == ws_id)
            .order_by(Change.seq)
        ).all()
        keys = [(r.entity, r.entity_id) for r in rows]
        assert len(keys) == len(set(keys))
        for model, entity in ((Customer, "customer"), (Job, "job"), (Photo, "photo")):
            ids = set(session.scalars(select(model.id).where(model.workspace_id == ws_id)))
            assert {i for e, i in keys if e == entity} == ids


def test_ordinary_writes_after_seeding(server: Server, seeded: tuple[int, str, str]) -> None:
    """Ids and sequence numbers handed out by the seed never collide with later inserts."""
    ws_id, slug, _ = seeded
    with server.sessionmaker() as session:
        top_seq = session.scalar(select(func.max(Change.seq)))
        customer = Customer(workspace_id=ws_id, name="Walk-in Customer", sort_name="walk-in")
        session.add(customer)
        session.flush()
        assert customer.id > max(_of(session, Customer.id, ws_id) - {customer.id})
        record_change(session, ws_id, "customer", customer.id, "upsert")
        session.flush()
        assert session.scalar(select(func.max(Change.seq))) > top_seq
        session.rollback()
        owner = session.scalar(
            select(StaffUser).where(StaffUser.email == f"owner@{slug}.toolbag.test")
        )
        assert owner is not None
        token = staff_service.issue_token_for(session, owner, 1).token
    me = httpx.get(f"{server.url}/api/v1/auth/me", headers={"Authorization": f"Bearer {token}"})
    assert me.status_code == 200 and me.json()["workspace_slug"] == slug


def test_same_seed_same_people(server: Server) -> None:
    def people(slug: str, seed: int) -> list[tuple[str, str | None]]:
        with server.sessionmaker() as session:
            seed_demo(session, slug=slug, customers=120, seed=seed)
            ws = session.scalar(select(Workspace.id).where(Workspace.slug == slug))
            return [
                (r.name, r.email)
                for r in session.execute(
                    select(Customer.name, Contact.email)
                    .join(Contact, Contact.customer_id == Customer.id)
                    .where(Customer.workspace_id == ws)
                    .order_by(Customer.external_id, Contact.external_id)
                )
            ]

    first, second, other = people(_slug(), 11), people(_slug(), 11), people(_slug(), 12)
    assert first == second
    assert len(first) > 120
    assert first != other


def test_refuses_a_workspace_with_data(server: Server, seeded: tuple[int, str, str]) -> None:
    ws_id, slug, _ = seeded
    with server.sessionmaker() as session:
        before = session.scalar(
            select(func.count()).select_from(Job).where(Job.workspace_id == ws_id)
        )
        with pytest.raises(Conflict, match="already has 300 customers"):
            seed_demo(session, slug=slug, customers=10, seed=1)
    with server.sessionmaker() as session:
        after = session.scalar(
            select(func.count()).select_from(Job).where(Job.workspace_id == ws_id)
        )
    assert before == after


def test_fills_an_existing_empty_workspace(server: Server) -> None:
    slug = _slug()
    with server.sessionmaker() as session:
        session.add(Workspace(slug=slug, name="Acme Heating"))
        session.commit()
        report = seed_demo(session, slug=slug, customers=20, seed=3)
        ws = session.scalar(select(Workspace).where(Workspace.slug == slug))
    assert ws is not None and ws.name == "Acme Heating" and ws.portal_status == "coming_soon"
    assert "20 customers" in report and "filled" in report


@pytest.mark.parametrize(
    ("slug", "customers", "message"),
    [
        ("Bad Slug!", 10, "lower-case letters"),
        ("api", 10, "reserved"),
        ("fine-slug", 0, "between 1 and"),
        ("fine-slug", -5, "between 1 and"),
    ],
)
def test_bad_input(server: Server, slug: str, customers: int, message: str) -> None:
    with server.sessionmaker() as session:
        with pytest.raises(Invalid, match=message):
            seed_demo(session, slug=slug, customers=customers, seed=1)
        session.rollback()
        assert session.scalar(select(Workspace.id).where(Workspace.slug == slug)) is None


def test_the_demo_inbox_has_the_newest_customer_actions(
    server: Server, seeded: tuple[int, str, str]
) -> None:
    ws_id, _, _ = seeded
    with server.sessionmaker() as session:
        items = session.scalars(select(FollowUp).where(FollowUp.workspace_id == ws_id)).all()
        kinds = {i.kind for i in items}
        assert {"service_request", "invoice_paid", "quote_approved"} <= kinds
        requests = [i for i in items if i.kind == "service_request"]
        assert requests and all(i.state == "open" for i in requests)
        assert any(i.state == "done" and i.done_note for i in items)
        # Each item is on the changes feed once.
        fed = session.scalars(
            select(Change.entity_id).where(
                Change.workspace_id == ws_id, Change.entity == "follow_up"
            )
        ).all()
        assert sorted(fed) == sorted(i.id for i in items)
