"""Many signed-in customers for the portal benchmark, and a CRM writing while they click.

- ``typical_crowd``: customers of the run's seeded demo workspace (small home pages, as most
  customers have), each with a fresh portal session.
- ``busy_crowd``: a workspace of its own whose every customer has the 50-job home page.
- ``CrmWriter``: a thread that upserts jobs of the crowd's customers through the records API
  at a steady rate, as the CRM's sync would while customers browse.

Sessions are written straight to the database (``start_session``, what sign-in does after
the password check): signing a thousand customers in through the form would spend minutes
on password hashing and measure nothing of the pages.
"""

from __future__ import annotations

import random
import statistics
import threading
import time
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import httpx
from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from server.db.base import utcnow
from server.db.engine import make_engine, make_sessionmaker
from server.db.models import (
    Address,
    Contact,
    Customer,
    Invoice,
    Job,
    PortalAccount,
    Quote,
    Workspace,
)
from server.domain.portal_sessions import start_session
from server.domain.secrets import hash_password
from server.wire.visibility import ACTIVE_JOB_STATUSES
from tests.benchmarks.portal_data import BRANDING, PASSWORD, STATUSES
from tests.support.workspaces import make_workspace


@dataclass
class Crowd:
    """Signed-in customers of one workspace: their cookies (in rotation order), the CRM ids
    of their customers, and the account (and its cookie) whose page the bare render shows."""

    slug: str
    staff_token: str
    cookies: list[str]
    crm_ids: list[str]
    bare_account_id: int
    bare_cookie: str
    cards: dict[str, float] = field(default_factory=dict)


def _sign_in_all(db: Session, accounts: list[PortalAccount]) -> list[str]:
    """A live session per account, as sign-in leaves it; the cookies."""
    return [start_session(db, a, ip="127.0.0.1", user_agent="bench").token for a in accounts]


def _cards(db: Session, customer_ids: list[int]) -> dict[int, int]:
    """Cards on each customer's home page: active jobs, waiting quotes, unpaid invoices."""
    counts = dict.fromkeys(customer_ids, 0)
    now = utcnow()
    for model, cond in (
        (Job, Job.internal_status.in_(ACTIVE_JOB_STATUSES)),
        (Quote, (Quote.status == "pending") & (Quote.expires_at > now)),
        (Invoice, (Invoice.status == "open") & (Invoice.balance_cents > 0)),
    ):
        rows = db.execute(
            select(model.customer_id, func.count())
            .where(model.customer_id.in_(customer_ids), cond)
            .group_by(model.customer_id)
        )
        for customer_id, n in rows:
            counts[customer_id] += n
    return counts


def typical_crowd(
    database_url: str, workspace_id: int, slug: str, staff_token: str, size: int
) -> Crowd:
    """``size`` customers of the seeded workspace with an active account, each signed in."""
    engine = make_engine(database_url, pool_size=1)
    try:
        with make_sessionmaker(engine)() as db:
            accounts = list(
                db.scalars(
                    select(PortalAccount)
                    .join(Customer, Customer.id == PortalAccount.customer_id)
                    .where(
                        PortalAccount.workspace_id == workspace_id,
                        PortalAccount.status == "active",
                        PortalAccount.locked_until.is_(None),
                        Customer.external_id.is_not(None),
                    )
                    .order_by(PortalAccount.id)
                    .limit(size)
                )
            )
            if len(accounts) < size:
                raise RuntimeError(f"only {len(accounts)} active accounts to sign in")
            cookies = _sign_in_all(db, accounts)
            ids = [a.customer_id for a in accounts]
            named = select(Customer.id, Customer.external_id).where(Customer.id.in_(ids))
            crm: dict[int, str] = {i: str(e) for i, e in db.execute(named)}
            cards = _cards(db, ids)
            db.commit()
    finally:
        engine.dispose()
    # The bare render shows the customer with the median number of cards.
    by_cards = sorted(accounts, key=lambda a: (cards[a.customer_id], a.id))
    median = by_cards[len(by_cards) // 2]
    spread = {
        "median": float(cards[median.customer_id]),
        "mean": statistics.mean(cards.values()),
        "max": float(max(cards.values())),
    }
    cookie = cookies[accounts.index(median)]
    return Crowd(slug, staff_token, cookies, [crm[i] for i in ids], median.id, cookie, spread)


def busy_crowd(
    database_url: str, base_url: str, size: int, *, jobs: int, quotes: int, invoices: int
) -> Crowd:
    """A workspace of its own with ``size`` customers, each with ``jobs`` active jobs,
    ``quotes`` waiting quotes and ``invoices`` due invoices, each signed in."""
    engine = make_engine(database_url, pool_size=1)
    try:
        factory = make_sessionmaker(engine)
        ws = make_workspace(factory, base_url)
        with factory() as db:
            workspace = db.get(Workspace, ws.id)
            assert workspace is not None
            workspace.branding = dict(BRANDING)
            accounts = _busy_customers(db, ws.id, ws.slug, size, jobs, quotes, invoices)
            cookies = _sign_in_all(db, accounts)
            crm = [f"BUSY-{i:05d}" for i in range(size)]
            db.commit()
            first = accounts[0].id
            return Crowd(ws.slug, ws.tokens["owner"], cookies, crm, first, cookies[0])
    finally:
        engine.dispose()


def _busy_customers(
    db: Session, ws_id: int, slug: str, size: int, jobs: int, quotes: int, invoices: int
) -> list[PortalAccount]:
    now = utcnow()
    password = hash_password(PASSWORD)
    customers = [
        Customer(
            workspace_id=ws_id,
            external_id=f"BUSY-{i:05d}",
            name=f"Busy household {i}",
            sort_name=f"busy {i:05d}",
        )
        for i in range(size)
    ]
    db.add_all(customers)
    db.flush()
    contacts: list[Contact] = []
    addresses: list[Address] = []
    for i, c in enumerate(customers):
        email = f"busy{i}@{slug}.example.net"
        contacts.append(
            Contact(
                workspace_id=ws_id,
                customer_id=c.id,
                name=f"Busy contact {i}",
                email=email,
                email_normalized=email,
                is_primary=True,
            )
        )
        addresses.append(
            Address(
                workspace_id=ws_id,
                customer_id=c.id,
                line1=f"{i + 1} Lantern Row",
                city="Port Ellis",
                postcode="20817",
            )
        )
    db.add_all(contacts)
    db.add_all(addresses)
    db.flush()
    accounts = [
        PortalAccount(
            workspace_id=ws_id,
            contact_id=contact.id,
            customer_id=contact.customer_id,
            email_normalized=contact.email_normalized,
            status="active",
            password_hash=password,
        )
        for contact in contacts
    ]
    db.add_all(accounts)
    db.flush()
    job_rows: list[dict[str, Any]] = []
    quote_rows: list[dict[str, Any]] = []
    invoice_rows: list[dict[str, Any]] = []
    for c, a in zip(customers, addresses, strict=True):
        for j in range(jobs):
            job_rows.append(
                {
                    "workspace_id": ws_id,
                    "customer_id": c.id,
                    "number": f"J-{4000 + j}",
                    "title": f"Service visit {j + 1}: radiator and boiler check",
                    "description": "Bleed radiators, check boiler pressure and flue.",
                    "internal_status": STATUSES[j % len(STATUSES)],
                    "address_id": a.id,
                    "technician_name": "Sam Okafor",
                    "scheduled_start": now + timedelta(days=j % 30, hours=j % 8),
                    "scheduled_end": now + timedelta(days=j % 30, hours=j % 8 + 2),
                    "source": "crm",
                }
            )
        for q in range(quotes):
            quote_rows.append(
                {
                    "workspace_id": ws_id,
                    "customer_id": c.id,
                    "number": f"Q-{700 + q}",
                    "title": "Replace the hot water cylinder",
                    "total_cents": 145_000,
                    "expires_at": now + timedelta(days=14),
                }
            )
        for n in range(invoices):
            total = 18_000 + 1_250 * n
            invoice_rows.append(
                {
                    "workspace_id": ws_id,
                    "customer_id": c.id,
                    "number": f"INV-{900 + n}",
                    "status": "open",
                    "total_cents": total,
                    "balance_cents": total,
                    "due_at": now + timedelta(days=3 + n),
                }
            )
    for model, rows in ((Job, job_rows), (Quote, quote_rows), (Invoice, invoice_rows)):
        for start in range(0, len(rows), 5000):
            db.execute(insert(model), rows[start : start + 5000])
    return accounts


@dataclass
class Writes:
    """What a ``CrmWriter`` did: records written, failures, and the rate it kept."""

    done: int
    failed: int
    seconds: float
    p99_ms: float

    @property
    def rate(self) -> float:
        """Records written per second."""
        return self.done / self.seconds if self.seconds else 0.0


class CrmWriter:
    """Upserts a job of a random customer of the crowd ``rate`` times a second in all,
    through the records API (each a real write: a new title every time), until stopped.
    ``senders`` threads share the rate, as a CRM's sync sends in parallel, so one slow answer
    does not hold the rest back."""

    def __init__(
        self, base_url: str, crowd: Crowd, rate: float, seed: int = 11, senders: int = 4
    ) -> None:
        self._base_url = base_url
        self._crowd = crowd
        self._interval = senders / rate
        self._seed = seed
        self._stop = threading.Event()
        self._threads = [
            threading.Thread(target=self._run, args=(i,), name=f"crm-writer-{i}", daemon=True)
            for i in range(senders)
        ]
        self._lock = threading.Lock()
        self._done = self._failed = 0
        self._latencies: list[float] = []
        self._started = self._ended = 0.0
        self.last_error = ""

    def __enter__(self) -> CrmWriter:
        self._started = time.perf_counter()
        for t in self._threads:
            t.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        for t in self._threads:
            t.join(timeout=60)
        self._ended = time.perf_counter()

    def _run(self, sender: int) -> None:
        rng = random.Random(self._seed * 100 + sender)
        client = httpx.Client(
            base_url=self._base_url,
            headers={"Authorization": f"Bearer {self._crowd.staff_token}"},
            timeout=30,
        )
        # Spread the senders over one interval, so the writes come evenly.
        due = time.perf_counter() + self._interval * sender / len(self._threads)
        n = 0
        try:
            while not self._stop.wait(max(0.0, due - time.perf_counter())):
                crm_id = rng.choice(self._crowd.crm_ids)
                n += 1
                body = {
                    "customer_external_id": crm_id,
                    "number": "J-CRM",
                    "title": f"Follow-up visit {sender}.{n}",
                    "internal_status": "scheduled",
                    "scheduled_start": (utcnow() + timedelta(days=3)).isoformat(),
                }
                began = time.perf_counter()
                try:
                    r = client.put(f"/api/v1/records/jobs/{crm_id}-CRM", json=body)
                    ok = r.status_code in (200, 201)
                    error = "" if ok else f"{r.status_code} {r.text[:200]}"
                except httpx.HTTPError as exc:
                    ok, error = False, str(exc)
                with self._lock:
                    self._latencies.append((time.perf_counter() - began) * 1000)
                    if ok:
                        self._done += 1
                    else:
                        self._failed += 1
                        self.last_error = error
                due += self._interval
        finally:
            client.close()

    def writes(self) -> Writes:
        """What was written (after the ``with`` block ended)."""
        lat = sorted(self._latencies) or [0.0]
        p99 = lat[min(len(lat) - 1, int(len(lat) * 0.99))]
        return Writes(self._done, self._failed, self._ended - self._started, p99)
