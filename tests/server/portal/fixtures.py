"""Arranging portal data directly in the database, and a browser-like client for the portal."""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass, field
from datetime import timedelta

import httpx
from sqlalchemy.orm import Session, sessionmaker

from server.db.base import utcnow
from server.db.models import (
    Address,
    Contact,
    Customer,
    Document,
    Invite,
    Invoice,
    InvoiceLine,
    Job,
    Photo,
    PortalAccount,
    Quote,
    QuoteLine,
    StoredFile,
)
from server.domain.customer_summary import refresh_customer
from server.domain.secrets import digest, hash_password

PASSWORD = "a sturdy portal password"
CSRF_RE = re.compile(r'name="csrf_token" value="([^"]+)"')
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@dataclass
class PortalCustomer:
    """A customer with one contact that has an active portal account, and its records."""

    slug: str
    customer_id: int
    contact_id: int
    account_id: int
    email: str
    name: str
    ids: dict[str, int] = field(default_factory=dict)


def make_customer(
    factory: sessionmaker[Session],
    ws_id: int,
    slug: str,
    *,
    status: str = "active",
    name: str = "Dana Whitfield",
    records: bool = True,
) -> PortalCustomer:
    """A customer, contact, address and (active) portal account, plus a job, quote, invoice,
    document and photo when ``records``."""
    tag = secrets.token_hex(4)
    email = f"dana.{tag}@example.net"
    with factory() as db:
        customer = Customer(workspace_id=ws_id, name=f"Whitfield household {tag}", sort_name="w")
        db.add(customer)
        db.flush()
        contact = Contact(
            workspace_id=ws_id,
            customer_id=customer.id,
            name=name,
            email=email,
            email_normalized=email,
            is_primary=True,
        )
        address = Address(
            workspace_id=ws_id,
            customer_id=customer.id,
            line1="12 Orchard Lane",
            city="Springfield",
            postcode="54321",
        )
        db.add_all([contact, address])
        db.flush()
        account = PortalAccount(
            workspace_id=ws_id,
            contact_id=contact.id,
            customer_id=customer.id,
            email_normalized=email,
            status=status,
            password_hash=hash_password(PASSWORD) if status != "invited" else None,
        )
        db.add(account)
        db.flush()
        ids = {"address": address.id}
        if records:
            ids.update(_records(db, ws_id, customer.id, address.id))
        refresh_customer(db, customer)
        db.commit()
        return PortalCustomer(slug, customer.id, contact.id, account.id, email, name, ids)


def _records(db: Session, ws_id: int, customer_id: int, address_id: int) -> dict[str, int]:
    now = utcnow()
    job = Job(
        workspace_id=ws_id,
        customer_id=customer_id,
        number="J-100",
        title="Fix the boiler",
        description="Replace the pressure valve",
        internal_status="scheduled",
        address_id=address_id,
        technician_name="Tech Ray",
        internal_notes="SECRET-NOTE",
        scheduled_start=now + timedelta(days=2),
    )
    done = Job(
        workspace_id=ws_id,
        customer_id=customer_id,
        number="J-050",
        title="Gutter clean",
        internal_status="completed",
        completed_at=now - timedelta(days=30),
    )
    db.add_all([job, done])
    db.flush()
    quote = Quote(
        workspace_id=ws_id,
        customer_id=customer_id,
        job_id=job.id,
        number="Q-7",
        title="New boiler",
        total_cents=250000,
        expires_at=now + timedelta(days=10),
    )
    invoice = Invoice(
        workspace_id=ws_id,
        customer_id=customer_id,
        job_id=done.id,
        number="INV-9",
        total_cents=12000,
        balance_cents=12000,
        due_at=now + timedelta(days=5),
    )
    db.add_all([quote, invoice])
    db.flush()
    db.add_all(
        [
            QuoteLine(
                quote_id=quote.id,
                description="Boiler unit",
                quantity=1,
                unit_price_cents=200000,
                unit_cost_cents=123456,
                total_cents=200000,
            ),
            QuoteLine(
                quote_id=quote.id,
                description="Fitting",
                quantity=1,
                unit_price_cents=50000,
                unit_cost_cents=20000,
                total_cents=50000,
            ),
            InvoiceLine(
                invoice_id=invoice.id,
                description="Gutter cleaning",
                quantity=1,
                unit_price_cents=12000,
                total_cents=12000,
            ),
        ]
    )
    stored = StoredFile(
        workspace_id=ws_id, content_type="application/pdf", size=len(PDF), sha256="0" * 64, data=PDF
    )
    image = StoredFile(
        workspace_id=ws_id,
        content_type="image/png",
        size=len(PNG),
        sha256="1" * 64,
        data=PNG,
        width=2,
        height=2,
    )
    db.add_all([stored, image])
    db.flush()
    doc = Document(
        workspace_id=ws_id,
        customer_id=customer_id,
        job_id=job.id,
        title="Boiler manual",
        filename="manual-internal-ref.pdf",
        file_id=stored.id,
        review_status="shareable",
    )
    pending_doc = Document(
        workspace_id=ws_id,
        customer_id=customer_id,
        job_id=job.id,
        title="PENDING-DOC",
        filename="pending.pdf",
        file_id=stored.id,
    )
    photo = Photo(
        workspace_id=ws_id,
        customer_id=customer_id,
        job_id=job.id,
        caption="Old valve",
        file_id=image.id,
        review_status="shareable",
    )
    pending_photo = Photo(
        workspace_id=ws_id,
        customer_id=customer_id,
        job_id=job.id,
        caption="PENDING-PHOTO",
        file_id=image.id,
    )
    db.add_all([doc, pending_doc, photo, pending_photo])
    db.flush()
    return {
        "job": job.id,
        "past_job": done.id,
        "quote": quote.id,
        "invoice": invoice.id,
        "document": doc.id,
        "pending_document": pending_doc.id,
        "photo": photo.id,
        "pending_photo": pending_photo.id,
    }


def make_invite(
    factory: sessionmaker[Session],
    ws_id: int,
    account_id: int,
    *,
    expires_in: timedelta = timedelta(days=7),
) -> str:
    """An invite token for an account (what the staff access API creates)."""
    token = secrets.token_urlsafe(32)
    with factory() as db:
        db.add(
            Invite(
                workspace_id=ws_id,
                account_id=account_id,
                digest=digest(token),
                expires_at=utcnow() + expires_in,
            )
        )
        db.commit()
    return token


def _png() -> bytes:
    import io

    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (2, 2), (200, 30, 30)).save(out, "PNG")
    return out.getvalue()


PNG = _png()


class Browser:
    """An httpx client that behaves like a browser on the portal: cookies, Origin, CSRF."""

    def __init__(self, base_url: str, slug: str) -> None:
        self.base_url = base_url
        self.slug = slug
        self.client = httpx.Client(base_url=base_url, timeout=30, headers={"Origin": base_url})

    def path(self, rest: str) -> str:
        """A portal path of this workspace."""
        return f"/p/{self.slug}{rest}"

    def get(self, rest: str, **kw: object) -> httpx.Response:
        """GET a portal path."""
        return self.client.get(self.path(rest), **kw)  # type: ignore[arg-type]

    def token(self, rest: str) -> str:
        """The CSRF token of the form on a page."""
        page = self.get(rest)
        found = CSRF_RE.search(page.text)
        assert found, f"no form on {rest}: {page.status_code} {page.text[:300]}"
        return found.group(1)

    def post(
        self,
        rest: str,
        data: dict[str, str] | None = None,
        *,
        form_page: str | None = None,
        files: object = None,
        **kw: object,
    ) -> httpx.Response:
        """POST a form, taking the CSRF token from ``form_page`` (default: the same path)."""
        fields = dict(data or {})
        if "csrf_token" not in fields:
            fields["csrf_token"] = self.token(form_page or rest)
        return self.client.post(self.path(rest), data=fields, files=files, **kw)  # type: ignore[arg-type]

    def sign_in(self, email: str, password: str = PASSWORD) -> httpx.Response:
        """Sign in through the form."""
        return self.post("/sign-in", {"email": email, "password": password})

    def close(self) -> None:
        """Close the client."""
        self.client.close()
