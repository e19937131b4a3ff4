"""Emails and pages rendered from a branding that is not published yet, for staff to check.

The emails come from the same functions that write the real ones, filled with sample names,
so the panel shows the exact words, layout and colours a customer will get.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from server.db.base import utcnow
from server.db.models import Workspace
from server.domain.audit import Actor, record_event
from server.domain.branding import logo_ids
from server.domain.errors import Invalid
from server.domain.messages import Message, invite_message, receipt_message, reset_message
from server.domain.outbox import queue_email
from server.wire.branding import Branding, EmailPreview

SAMPLE_CONTACT = "Jordan Lee"
SAMPLE_CUSTOMER = "Lee Household"
SAMPLE_INVOICE = "INV-1042"
SAMPLE_AMOUNT_CENTS = 24_500


def check_logo(ws: Workspace, branding: Branding) -> None:
    """A logo can only be one this workspace uploaded (the same rule as saving a draft)."""
    if branding.logo_file_id is not None and branding.logo_file_id not in logo_ids(ws):
        problem = "Upload a logo to change it; a file id cannot be typed in."
        raise Invalid(problem, errors={"logo_file_id": problem})


def sample_message(
    ws: Workspace, branding: Branding, kind: str, portal_url: str, *, now: datetime | None = None
) -> Message:
    """The ``kind`` email (invite, reset or receipt) as it would be sent with this branding."""
    check_logo(ws, branding)
    base = portal_url.rstrip("/")
    if kind == "invite":
        return invite_message(branding, SAMPLE_CONTACT, SAMPLE_CUSTOMER, f"{base}/invite/sample")
    if kind == "reset":
        return reset_message(branding, SAMPLE_CONTACT, f"{base}/reset/sample")
    return receipt_message(
        branding,
        SAMPLE_CONTACT,
        invoice_number=SAMPLE_INVOICE,
        receipt_number="R-000001",
        amount_cents=SAMPLE_AMOUNT_CENTS,
        currency=ws.currency or "USD",
        paid_at=now or utcnow(),
        balance_cents=0,
        link=f"{base}/receipts/sample",
        card="Visa ending 4242",
        formats=ws,
    )


def preview(ws: Workspace, branding: Branding, kind: str, portal_url: str) -> EmailPreview:
    """The sample email as the panel shows it."""
    message = sample_message(ws, branding, kind, portal_url)
    return EmailPreview(kind=kind, subject=message.subject, text=message.text, html=message.html)


def send_test(
    session: Session,
    ws: Workspace,
    branding: Branding,
    kind: str,
    portal_url: str,
    to_address: str,
    actor: Actor,
) -> EmailPreview:
    """Queue the sample email to the signed-in staff member through the real outbox."""
    message = sample_message(ws, branding, kind, portal_url)
    queue_email(session, ws.id, f"test_{kind}", to_address, message)
    record_event(session, ws.id, actor, "branding.test_email", kind=kind, to=to_address)
    session.commit()
    return EmailPreview(
        kind=kind, subject=message.subject, text=message.text, html=message.html, to=to_address
    )
