"""Soak-test data: a seeded PostgreSQL workspace with signed-in customers who have work to do.

Each online customer has an active portal account, a live session (opened in the database, as
a sign-in would leave it, so the soak does not spend minutes on password hashing), one pending
quote to approve and one open invoice to pay. Contacts without an account are kept for the
staff, who invite them during the soak.
"""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from server.db.base import utcnow
from server.db.models import Contact, Customer, Invoice, InvoiceLine, PortalAccount, Workspace
from server.demo.seed import seed_demo
from server.domain.portal_sessions import start_session
from server.domain.secrets import hash_password
from tests.benchmarks.portal_data import add_quote

SLUG = "soak"


@dataclass(frozen=True)
class OnlineCustomer:
    """One signed-in contact: its session cookie and CSRF token, and the work waiting for it."""

    customer_id: int
    cookie: str
    csrf: str
    quote_id: int
    invoice_id: int


@dataclass(frozen=True)
class SoakData:
    """What the soak drives: the workspace, its online customers and contacts to invite."""

    workspace_id: int
    online: list[OnlineCustomer]
    to_invite: list[int]


def arrange(db: Session, *, customers: int, online: int, seed: int = 7) -> SoakData:
    """Seed ``customers`` customers, then sign in ``online`` of them with work waiting."""
    seed_demo(db, slug=SLUG, customers=customers, seed=seed)
    ws_id = db.scalar(select(Workspace.id).where(Workspace.slug == SLUG))
    assert ws_id is not None
    with_account = select(PortalAccount.contact_id).where(PortalAccount.workspace_id == ws_id)
    candidates = db.execute(
        select(Contact.id, Contact.customer_id, Contact.email_normalized)
        .join(Customer, Customer.id == Contact.customer_id)
        .where(Contact.workspace_id == ws_id, Contact.email_normalized.is_not(None))
        .where(Contact.id.not_in(with_account))
        .order_by(Contact.id)
    ).all()
    # An address on two contacts, or already some account's, cannot be signed in or invited.
    taken = set(
        db.scalars(
            select(PortalAccount.email_normalized).where(PortalAccount.workspace_id == ws_id)
        )
    )
    uses = Counter(email for _, _, email in candidates)
    candidates = [c for c in candidates if uses[c[2]] == 1 and c[2] not in taken]
    rng = random.Random(seed)
    rng.shuffle(candidates)
    chosen: list[tuple[int, int, str]] = []
    seen_customers: set[int] = set()
    seen_emails: set[str] = set()
    rest: list[int] = []
    for contact_id, customer_id, email in candidates:
        if email is None:  # the query asked for contacts with an email; this tells mypy
            continue
        if len(chosen) < online and customer_id not in seen_customers and email not in seen_emails:
            chosen.append((contact_id, customer_id, email))
            seen_customers.add(customer_id)
            seen_emails.add(email)
        elif customer_id not in seen_customers and email not in seen_emails:
            rest.append(contact_id)
    if len(chosen) < online:
        raise RuntimeError(f"only {len(chosen)} contacts can be signed in; seed more customers")

    password_hash = hash_password("soak test passphrase")  # one hash: nobody signs in by form
    people: list[OnlineCustomer] = []
    for n, (contact_id, customer_id, email) in enumerate(chosen):
        account = PortalAccount(
            workspace_id=ws_id,
            contact_id=contact_id,
            customer_id=customer_id,
            email_normalized=email,
            status="active",
            password_hash=password_hash,
        )
        db.add(account)
        db.flush()
        opened = start_session(db, account, ip="127.0.0.1", user_agent="soak")
        quote_id = add_quote(db, ws_id, customer_id, None, f"SQ-{n:05d}")
        invoice_id = _add_invoice(db, ws_id, customer_id, f"SI-{n:05d}")
        people.append(
            OnlineCustomer(customer_id, opened.token, opened.row.csrf_token, quote_id, invoice_id)
        )
        if n % 200 == 199:
            db.commit()
    db.commit()
    # Fresh planner statistics for the tables that grew since the seed's own ``ANALYZE``
    # (accounts, sessions, quotes, invoices), as autovacuum would leave them on a server that
    # has run for a while: the soak measures a server in service, not a bulk load's first
    # minute.
    if db.get_bind().dialect.name == "postgresql":
        grown = "portal_account, portal_session, quote, quote_line, invoice, invoice_line"
        db.execute(text(f"ANALYZE {grown}"))
        db.commit()
    return SoakData(ws_id, people, rest)


def _add_invoice(db: Session, ws_id: int, customer_id: int, number: str) -> int:
    invoice = Invoice(
        workspace_id=ws_id,
        customer_id=customer_id,
        number=number,
        status="open",
        total_cents=18_500,
        balance_cents=18_500,
        due_at=utcnow() + timedelta(days=14),
    )
    db.add(invoice)
    db.flush()
    db.add(
        InvoiceLine(
            invoice_id=invoice.id,
            description="Annual boiler service",
            unit_price_cents=18_500,
            total_cents=18_500,
        )
    )
    return invoice.id
