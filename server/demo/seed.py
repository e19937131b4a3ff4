"""``portal-server seed-demo``: fill a workspace with a believable trades business.

Decisions, so nobody has to guess:

- A workspace that does not exist is created with an active portal (the local demo must work
  in a browser at once) and complete branding. An existing workspace keeps its name and
  status; it must have no customers yet: seeding refuses a workspace that already has data
  rather than mixing demo rows into real ones.
- Staff: an owner (``owner@<slug>.toolbag.test``; for ``demo`` that is LOCAL_OWNER_EMAIL), a
  manager and a dispatcher, with random passwords that are never shown. ``portal-server
  local`` sets a fresh owner password on every start.
- Deterministic for a given seed: names, emails, phones, addresses, statuses, amounts and
  the shape of every record come from ``random.Random(seed)``. Dates are relative to the
  moment of seeding (an invite sent "two days ago" must still be valid), so timestamps move
  with the clock; database ids and token digests differ between runs.
- Invite tokens are real random tokens whose plain form is discarded: no seeded link works,
  and nobody can derive one from the seed. A dispatcher resends to get a working link.
"""

from __future__ import annotations

import random
import secrets
import time

from sqlalchemy import Engine, func, select, text
from sqlalchemy.orm import Session

from server.db.base import utcnow
from server.db.models import Change, Customer, StaffUser, StoredFile, Workspace
from server.demo import names
from server.demo.access import STATES, give_access, summarise
from server.demo.bulk import Batch, IdPool, record_feed
from server.demo.context import SeedContext, Staff
from server.demo.documents import add_document, add_photo
from server.demo.files import demo_files
from server.demo.inbox import file_recent_activity
from server.demo.people import CustomerDraft, make_customer
from server.demo.report import describe
from server.demo.work import add_invoice, add_job, add_quote, add_request
from server.domain import staff as staff_service
from server.domain.audit import SYSTEM, record_event
from server.domain.changes import record_change
from server.domain.errors import Conflict, Invalid
from server.domain.secrets import hash_password
from server.domain.workspaces import ensure_workspace, slug_problem
from server.wire.branding import Branding
from server.wire.visibility import VisibilityPolicy

MAX_CUSTOMERS = 1_000_000
# Customers generated between two writes: big enough for fast batches, small enough for memory.
CHUNK = 2000
FINISHED = ("completed", "invoiced")


def staff_email(role: str, slug: str) -> str:
    """The seeded staff member's sign-in for a role in a workspace."""
    return f"{role}@{slug}.toolbag.test"


def _workspace(session: Session, slug: str) -> tuple[Workspace, bool]:
    problem = slug_problem(slug)
    existing = session.scalar(select(Workspace).where(Workspace.slug == slug))
    if existing is not None:
        return existing, False
    if problem:
        raise Invalid(f"Cannot use '{slug}' as a workspace: {problem}", errors={"slug": problem})
    name = names.BUSINESS
    ws = ensure_workspace(session, slug, name)
    site = "".join(ch for ch in name.split()[0].lower() if ch.isalpha())
    ws.portal_status = "active"
    ws.branding = Branding(
        brand_name=name,
        phone="(503) 555-0142",
        email=f"office@{site}.example",
        address="410 Harbor Way, Brightwater, OR 97012",
        hours="Mon-Fri 7am-6pm, Sat 8am-noon",
        website=f"https://{site}.example",
    ).model_dump()
    ws.visibility = VisibilityPolicy().model_dump()
    session.flush()
    return ws, True


def _staff(session: Session, ws: Workspace, slug: str) -> tuple[dict[str, Staff], list[int]]:
    staff: dict[str, Staff] = {}
    created: list[int] = []
    for role, name in names.STAFF.items():
        email = staff_email(role, slug)
        user = session.scalar(select(StaffUser).where(StaffUser.email == email))
        if user is not None and user.workspace_id != ws.id:
            raise Conflict(f"The staff account {email} belongs to another workspace.")
        if user is None:
            password = secrets.token_urlsafe(18)  # never shown; see the module docstring
            user = staff_service.create_staff(session, ws, email, name, role, password)
            created.append(user.id)
        staff[role] = Staff(user.id, user.name)
    return staff, created


def _files(session: Session, ws: Workspace, rng: random.Random) -> tuple[list[int], list[int]]:
    documents: list[int] = []
    photos: list[int] = []
    for f in demo_files(rng, ws.name):
        row = StoredFile(
            workspace_id=ws.id,
            content_type=f.content_type,
            size=len(f.data),
            sha256=f.sha256,
            width=f.width,
            height=f.height,
            data=f.data,
        )
        session.add(row)
        session.flush()
        (documents if f.kind == "document" else photos).append(row.id)
    return documents, photos


def _queue(ctx: SeedContext, draft: CustomerDraft) -> None:
    ctx.batch.add("customer", draft.customer)
    for table, rows in (
        ("address", draft.addresses),
        ("contact", draft.contacts),
        ("portal_account", draft.accounts),
        ("invite", draft.invites),
    ):
        for row in rows:
            ctx.batch.add(table, row)


def _work(ctx: SeedContext, draft: CustomerDraft) -> None:
    rng = ctx.rng
    company = draft.customer["kind"] == "company"
    active = {a["contact_id"] for a in draft.accounts if a["status"] == "active"}
    portal_contact = next((c for c in draft.contacts if c["id"] in active), None)
    count = rng.choices((0, 1, 2, 3), weights=(30, 42, 20, 8))[0] + (1 if company else 0)
    jobs = [add_job(ctx, draft) for _ in range(count)]
    for job in jobs:
        status = job["internal_status"]
        if status == "invoiced" or (status == "completed" and rng.random() < 0.15):
            add_invoice(ctx, draft, job, portal_contact)
        if status in ("new", "scheduled") and rng.random() < 0.5:
            add_quote(ctx, draft, job, portal_contact is not None)
        if status in FINISHED and rng.random() < 0.12:
            add_document(ctx, draft, job)
        if status not in ("new", "scheduled", "cancelled") and rng.random() < 0.15:
            for _ in range(rng.randint(1, 3)):
                add_photo(ctx, draft, job, None)
    if rng.random() < 0.1:
        add_quote(ctx, draft, None, portal_contact is not None)
    if portal_contact is not None and rng.random() < 0.12:
        add_request(ctx, draft, portal_contact)


def seed_demo(session: Session, *, slug: str = "demo", customers: int = 200, seed: int = 1) -> str:
    """Fill a workspace (created if missing) with demo data; commit; return a report."""
    started = time.perf_counter()
    if not 1 <= customers <= MAX_CUSTOMERS:
        raise Invalid(
            f"Ask for between 1 and {MAX_CUSTOMERS:,} customers.",
            errors={"customers": "Out of range."},
        )
    rng = random.Random(seed)
    ws, created = _workspace(session, slug)
    # The same lock record_change takes: nobody numbers changes while the seed runs.
    session.execute(
        select(Workspace.id).where(Workspace.id == ws.id).with_for_update(key_share=True)
    )
    existing = session.scalar(
        select(func.count()).select_from(Customer).where(Customer.workspace_id == ws.id)
    )
    if existing:
        session.rollback()
        raise Conflict(
            f"Workspace '{slug}' already has {existing:,} customers. The demo seed only fills "
            "an empty workspace; choose another with --workspace."
        )
    staff, new_staff = _staff(session, ws, slug)
    documents, photos = _files(session, ws, rng)
    ctx = SeedContext(
        rng=rng,
        now=utcnow(),
        workspace_id=ws.id,
        ids=IdPool(session),
        batch=Batch(),
        staff=staff,
        document_files=documents,
        photo_files=photos,
        password_hash=hash_password(secrets.token_urlsafe(24)),
        total_customers=customers,
    )
    pending_states = list(STATES)
    for index in range(customers):
        draft = make_customer(ctx, index)
        give_access(ctx, draft, pending_states)
        summarise(ctx, draft)
        _queue(ctx, draft)
        _work(ctx, draft)
        if (index + 1) % CHUNK == 0:
            ctx.batch.flush(session)
    ctx.batch.flush(session)
    record_feed(session, ws.id, ctx.now)
    if created:
        for entity in ("workspace", "branding", "visibility"):
            record_change(session, ws.id, entity, ws.id, "upsert")
    for staff_id in new_staff:
        record_change(session, ws.id, "team", staff_id, "upsert")
    file_recent_activity(session, ws.id, names.STAFF["dispatcher"])
    record_event(session, ws.id, SYSTEM, "demo_seeded", customers=customers, seed=seed)
    # Counted in the database: the driver's row count of an INSERT ... SELECT is not to be
    # trusted (on PostgreSQL it was -1 for each entity, and the report said -10 rows).
    changes = (
        session.scalar(select(func.count()).select_from(Change).where(Change.workspace_id == ws.id))
        or 0
    )
    session.commit()
    if session.get_bind().dialect.name == "postgresql":
        # Fresh planner statistics: right after a bulk load, PostgreSQL would otherwise plan
        # every query for near-empty tables until autovacuum gets round to them.
        session.execute(text("ANALYZE"))
        session.commit()
        # And the customer table's visibility map, so the customer list counts its matches
        # from the indexes alone (index-only scans) from the first search on, not after
        # autovacuum comes by (the first page's count took 100 ms instead of a few).
        engine = session.get_bind()
        assert isinstance(engine, Engine)
        with engine.connect() as conn:
            conn.execution_options(isolation_level="AUTOCOMMIT").exec_driver_sql("VACUUM customer")
    staff_emails = [staff_email(role, slug) for role in names.STAFF]
    return describe(ws, created, seed, ctx, changes, time.perf_counter() - started, staff_emails)
