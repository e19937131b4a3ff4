"""Customers who pay: a signed-in portal contact with invoices, arranged in the database."""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass, field

import httpx
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from server.db.models import Invoice, InvoiceLine, PortalAccount, Workspace
from server.domain.portal_sessions import start_session
from server.portal.deps import SESSION_COOKIE
from tests.support.customers import activate, add_customer


@dataclass
class Payer:
    """A signed-in contact: ``client`` carries the session cookie and the portal's Origin."""

    workspace_id: int
    slug: str
    customer_id: int
    contact_id: int
    email: str
    csrf: str
    client: httpx.Client
    base: str = field(init=False)

    def __post_init__(self) -> None:
        self.base = f"/p/{self.slug}"

    def post(self, path: str, data: dict[str, str] | None = None, **kw: object) -> httpx.Response:
        """A form post with the session's CSRF token."""
        return self.client.post(path, data={"csrf_token": self.csrf, **(data or {})}, **kw)  # type: ignore[arg-type]

    def close(self) -> None:
        """Close the client."""
        self.client.close()


def make_payer(
    factory: sessionmaker[Session], base_url: str, workspace_id: int, name: str = "Dana Payer"
) -> Payer:
    """A customer with one active contact and a live portal session."""
    email = f"{secrets.token_hex(4)}@customer.example.com"
    made = add_customer(factory, workspace_id, name, [(name, email, None)])
    activate(factory, made.contact_ids[0])
    with factory() as s:
        account = s.scalar(
            select(PortalAccount).where(PortalAccount.contact_id == made.contact_ids[0])
        )
        assert account is not None
        opened = start_session(s, account, ip="127.0.0.1", user_agent="tests")
        csrf = opened.row.csrf_token
        ws = s.get(Workspace, workspace_id)
        assert ws is not None
        slug = ws.slug
        s.commit()
    client = httpx.Client(base_url=base_url, timeout=30, headers={"Origin": base_url})
    client.cookies.set(SESSION_COOKIE, opened.token, path=f"/p/{slug}")
    return Payer(workspace_id, slug, made.customer_id, made.contact_ids[0], email, csrf, client)


def add_invoice(
    factory: sessionmaker[Session],
    payer: Payer,
    total_cents: int = 12_500,
    *,
    status: str = "open",
    balance_cents: int | None = None,
) -> int:
    """An invoice of the payer's customer with one line; returns its id."""
    with factory() as s:
        inv = Invoice(
            workspace_id=payer.workspace_id,
            customer_id=payer.customer_id,
            number=f"INV-{secrets.randbelow(10**6):06d}",
            status=status,
            total_cents=total_cents,
            balance_cents=total_cents if balance_cents is None else balance_cents,
        )
        s.add(inv)
        s.flush()
        s.add(
            InvoiceLine(
                invoice_id=inv.id,
                description="Boiler service",
                unit_price_cents=total_cents,
                total_cents=total_cents,
            )
        )
        s.commit()
        return inv.id


def checkout_token(response: httpx.Response) -> str:
    """The checkout token in the redirect of ``POST .../pay``."""
    match = re.search(r"/checkout/([A-Za-z0-9_-]+)", response.headers["location"])
    assert match, response.headers.get("location")
    return match.group(1)
