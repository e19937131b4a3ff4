"""Portal benchmark data: a busy customer in a workspace of its own, and a browser-like client.

The workspace lives in the run's seeded database (so the tables are full-size and query
plans are realistic) but is separate from the seeded one, so nothing here shows up in the
other modules' figures. Rows are written the way the CRM intake would leave them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import timedelta

import httpx
from sqlalchemy import select
from sqlalchemy.orm import Session

from server.db.base import utcnow
from server.db.engine import make_engine, make_sessionmaker
from server.db.models import (
    Address,
    Contact,
    Customer,
    Invoice,
    InvoiceLine,
    Job,
    PortalAccount,
    Quote,
    QuoteLine,
    Workspace,
)
from server.domain.customer_summary import refresh_customer
from server.domain.secrets import hash_password
from server.wire.visibility import ACTIVE_JOB_STATUSES
from tests.support.workspaces import make_workspace

PASSWORD = "a sturdy benchmark password"
NAME = "Morgan Ellery"
CSRF_RE = re.compile(r'name="csrf_token" value="([^"]+)"')
BRANDING = {
    "brand_name": "Harbour Heating & Plumbing",
    "phone": "+1 555 0199",
    "email": "office@harbour.example",
    "address": "7 Quay Road, Port Ellis",
    "hours": "Mon to Sat, 7 AM to 7 PM",
}
STATUSES = sorted(ACTIVE_JOB_STATUSES)


@dataclass
class BusyCustomer:
    """The workspace, its owner's token, and the customer whose home page is measured."""

    workspace_id: int
    slug: str
    staff_token: str
    customer_id: int
    contact_id: int
    account_id: int
    address_id: int
    email: str


def make_busy_customer(
    database_url: str, base_url: str, *, jobs: int, quotes: int, invoices: int
) -> BusyCustomer:
    """A workspace with branding and a customer with ``jobs`` active jobs (all on the home
    page), ``quotes`` pending quotes and ``invoices`` due invoices, plus a paid one."""
    engine = make_engine(database_url, pool_size=1)
    try:
        factory = make_sessionmaker(engine)
        ws = make_workspace(factory, base_url)
        with factory() as db:
            workspace = db.get(Workspace, ws.id)
            assert workspace is not None
            workspace.branding = dict(BRANDING)
            email = f"morgan@{ws.slug}.example.net"
            customer = Customer(workspace_id=ws.id, name="Ellery household", sort_name="ellery")
            db.add(customer)
            db.flush()
            contact = Contact(
                workspace_id=ws.id,
                customer_id=customer.id,
                name=NAME,
                email=email,
                email_normalized=email,
                is_primary=True,
            )
            address = Address(
                workspace_id=ws.id,
                customer_id=customer.id,
                line1="31 Lantern Row",
                city="Port Ellis",
                postcode="20817",
            )
            db.add_all([contact, address])
            db.flush()
            account = PortalAccount(
                workspace_id=ws.id,
                contact_id=contact.id,
                customer_id=customer.id,
                email_normalized=email,
                status="active",
                password_hash=hash_password(PASSWORD),
            )
            db.add(account)
            db.flush()
            _work(db, ws.id, customer.id, address.id, jobs, quotes, invoices)
            refresh_customer(db, customer)
            db.commit()
            return BusyCustomer(
                ws.id,
                ws.slug,
                ws.tokens["owner"],
                customer.id,
                contact.id,
                account.id,
                address.id,
                email,
            )
    finally:
        engine.dispose()


def _work(
    db: Session,
    ws_id: int,
    customer_id: int,
    address_id: int,
    jobs: int,
    quotes: int,
    invoices: int,
) -> None:
    now = utcnow()
    rows = [
        Job(
            workspace_id=ws_id,
            customer_id=customer_id,
            number=f"J-{4000 + i}",
            title=f"Service visit {i + 1}: radiator and boiler check",
            description="Bleed radiators, check boiler pressure and flue.",
            internal_status=STATUSES[i % len(STATUSES)],
            address_id=address_id,
            technician_name="Sam Okafor",
            internal_notes="Dog in the garden; use the side gate.",
            scheduled_start=now + timedelta(days=i % 30, hours=i % 8),
            scheduled_end=now + timedelta(days=i % 30, hours=i % 8 + 2),
        )
        for i in range(jobs)
    ]
    db.add_all(rows)
    db.flush()
    for i in range(quotes):
        add_quote(db, ws_id, customer_id, rows[i % len(rows)].id, f"Q-{700 + i}")
    for i in range(invoices + 1):
        paid = i == invoices
        total = 18_000 + 1_250 * i
        invoice = Invoice(
            workspace_id=ws_id,
            customer_id=customer_id,
            job_id=rows[-1 - i % len(rows)].id,
            number=f"INV-{900 + i}",
            status="paid" if paid else "open",
            total_cents=total,
            balance_cents=0 if paid else total,
            due_at=now + timedelta(days=3 + i),
        )
        db.add(invoice)
        db.flush()
        db.add(
            InvoiceLine(
                invoice_id=invoice.id,
                description="Labour and parts",
                quantity=1,
                unit_price_cents=total,
                total_cents=total,
            )
        )


def add_quote(db: Session, ws_id: int, customer_id: int, job_id: int | None, number: str) -> int:
    """One pending quote with two lines; its id."""
    quote = Quote(
        workspace_id=ws_id,
        customer_id=customer_id,
        job_id=job_id,
        number=number,
        title="Replace the hot water cylinder",
        total_cents=145_000,
        expires_at=utcnow() + timedelta(days=14),
    )
    db.add(quote)
    db.flush()
    db.add_all(
        [
            QuoteLine(
                quote_id=quote.id,
                position=0,
                description="Cylinder, 180 litres",
                quantity=1,
                unit_price_cents=110_000,
                total_cents=110_000,
            ),
            QuoteLine(
                quote_id=quote.id,
                position=1,
                description="Fitting and disposal",
                quantity=1,
                unit_price_cents=35_000,
                total_cents=35_000,
            ),
        ]
    )
    return quote.id


def add_quotes(database_url: str, busy: BusyCustomer, count: int) -> list[int]:
    """``count`` more pending quotes for the customer (for the approval figure)."""
    engine = make_engine(database_url, pool_size=1)
    try:
        with make_sessionmaker(engine)() as db:
            job_id = db.scalar(select(Job.id).where(Job.customer_id == busy.customer_id).limit(1))
            ids = [
                add_quote(db, busy.workspace_id, busy.customer_id, job_id, f"QA-{i}")
                for i in range(count)
            ]
            db.commit()
            return ids
    finally:
        engine.dispose()


class PortalBrowser:
    """A keep-alive client that signs in through the real form, like a browser would."""

    def __init__(self, base_url: str, slug: str) -> None:
        self.slug = slug
        self.client = httpx.Client(base_url=base_url, timeout=30, headers={"Origin": base_url})

    def path(self, rest: str) -> str:
        """A portal path of this workspace."""
        return f"/p/{self.slug}{rest}"

    def form_token(self, rest: str) -> str:
        """The CSRF token of the form on a page."""
        page = self.client.get(self.path(rest))
        page.raise_for_status()
        found = CSRF_RE.search(page.text)
        if not found:
            raise RuntimeError(f"no form on {rest}: {page.status_code}")
        return found.group(1)

    def sign_in(self, email: str, password: str = PASSWORD) -> str:
        """Sign in (GET the form for its cookie and token, POST it); the session cookie."""
        token = self.form_token("/sign-in")
        answer = self.client.post(
            self.path("/sign-in"),
            data={"email": email, "password": password, "csrf_token": token, "next": ""},
        )
        cookie = self.client.cookies.get("tb_portal")
        if answer.status_code != 303 or not cookie:
            raise RuntimeError(f"sign-in failed: {answer.status_code} {answer.text[:300]}")
        return cookie

    def close(self) -> None:
        """Close the client."""
        self.client.close()
