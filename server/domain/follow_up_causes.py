"""What each cause files in the inbox: called by the domain service of the cause, in its
transaction, so an approval, a payment or a request and its follow-up item commit together.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from server.db.models import (
    Address,
    Contact,
    FollowUp,
    Invoice,
    Job,
    OutboxEmail,
    Payment,
    PortalAccount,
    Quote,
    ServiceRequest,
    Workspace,
)
from server.domain.follow_up import Filing, file_item
from server.domain.local_formats import format_amount
from server.wire.follow_up import FollowUpDetails

_TROUBLE_WORDS = {
    "locked": "is locked out after too many wrong passwords",
    "expired_invite_clicked": "opened an invite link that had expired",
    "reset_requested": "asked for a password reset link",
}


def _workspace(db: Session, workspace_id: int) -> Workspace:
    ws = db.get(Workspace, workspace_id)
    assert ws is not None, "a cause always belongs to a workspace"
    return ws


def _contact_name(db: Session, contact_id: int | None) -> str:
    name = db.scalar(select(Contact.name).where(Contact.id == contact_id)) if contact_id else None
    return name or "the customer"


def quote_answered(db: Session, quote: Quote) -> FollowUp:
    """A customer approved or declined a quote (``quote.status`` says which)."""
    ws = _workspace(db, quote.workspace_id)
    who = _contact_name(db, quote.decided_by_contact_id)
    amount = format_amount(quote.total_cents, quote.currency, ws)
    if quote.status == "approved":
        title = f"Quote {quote.number} approved by {who} ({amount})"
        details = FollowUpDetails(
            quote_number=quote.number,
            typed_name=quote.approved_name,
            amount_cents=quote.total_cents,
            currency=quote.currency,
        )
    else:
        reason = quote.declined_reason
        title = f"Quote {quote.number} declined by {who}" + (f": {reason}" if reason else "")
        details = FollowUpDetails(
            quote_number=quote.number,
            reason=reason,
            amount_cents=quote.total_cents,
            currency=quote.currency,
        )
    kind = f"quote_{quote.status}"
    return file_item(
        db,
        ws.id,
        Filing(
            kind=kind,
            key=f"{kind}:{quote.id}",
            title=title,
            details=details,
            customer_id=quote.customer_id,
            contact_id=quote.decided_by_contact_id,
            happened_at=quote.decided_at,
            refs={"quote_id": quote.id, "job_id": quote.job_id},
        ),
    )


def payment_recorded(db: Session, invoice: Invoice, payment: Payment, applied: bool) -> FollowUp:
    """A customer paid online: "invoice paid", or, when the invoice was already settled and
    the money was taken anyway, "refund needed"."""
    ws = _workspace(db, invoice.workspace_id)
    who = _contact_name(db, payment.paid_by_contact_id)
    amount = format_amount(payment.amount_cents, payment.currency, ws)
    details = FollowUpDetails(
        invoice_number=invoice.number,
        amount_cents=payment.amount_cents,
        currency=payment.currency,
        method=payment.method,
        receipt_number=payment.receipt_number,
        balance_cents=invoice.balance_cents,
    )
    if applied:
        kind = "invoice_paid"
        title = (
            f"Invoice {invoice.number} paid by {who} ({amount}, receipt {payment.receipt_number})"
        )
    else:
        kind = "refund_needed"
        title = f"Refund {amount} to {who}: invoice {invoice.number} was already paid"
        details.reason = (
            "The payment arrived after the invoice was settled (a second window or a "
            "second payment), so it was not applied. Refund it with the payment provider."
        )
    return file_item(
        db,
        ws.id,
        Filing(
            kind=kind,
            key=f"{kind}:{payment.id}",
            title=title,
            details=details,
            customer_id=payment.customer_id,
            contact_id=payment.paid_by_contact_id,
            happened_at=payment.paid_at or payment.created_at,
            refs={"invoice_id": invoice.id, "payment_id": payment.id, "job_id": invoice.job_id},
        ),
    )


def address_text(address: Address | None) -> str | None:
    """An address on one line, as the office reads it."""
    if address is None:
        return None
    parts = (address.line1, address.line2, address.city, address.region, address.postcode)
    return ", ".join(p for p in parts if p)


def request_filing(
    request: ServiceRequest, job: Job | None, who: str, address: str | None, photo_ids: list[int]
) -> Filing:
    """The item of a service request, as it stands now (filed again as it moves on)."""
    first = request.description.strip().splitlines()[0][:120]
    return Filing(
        kind="service_request",
        key=f"service_request:{request.id}",
        title=f"Service requested by {who}: {first}",
        details=FollowUpDetails(
            description=request.description,
            preferred_times=request.preferred_times,
            address=address,
            photo_ids=photo_ids,
            job_number=job.number if job else None,
        ),
        customer_id=request.customer_id,
        contact_id=request.contact_id,
        happened_at=request.created_at,
        refs={"service_request_id": request.id, "job_id": request.job_id},
        request_status=request.status,
    )


def request_submitted(
    db: Session, request: ServiceRequest, job: Job, photo_ids: list[int]
) -> FollowUp:
    """A customer sent a service request from the portal."""
    address = db.get(Address, request.address_id) if request.address_id else None
    who = _contact_name(db, request.contact_id)
    filing = request_filing(request, job, who, address_text(address), photo_ids)
    return file_item(db, request.workspace_id, filing)


def sign_in_trouble(
    db: Session,
    account: PortalAccount,
    trouble: str,
    *,
    occasion: str | None = None,
    at: datetime | None = None,
    locked_until: datetime | None = None,
) -> FollowUp:
    """A contact could not get in. Without ``occasion`` each time is news (locked again,
    another reset asked for): the contact's item comes back to the top, open. With one (an
    expired invite's id) the same occasion files once, however often it is repeated."""
    who = _contact_name(db, account.contact_id)
    key = f"sign_in_trouble:{trouble}:{account.id}" + (f":{occasion}" if occasion else "")
    return file_item(
        db,
        account.workspace_id,
        Filing(
            kind="sign_in_trouble",
            key=key,
            title=f"{who} {_TROUBLE_WORDS[trouble]}",
            details=FollowUpDetails(
                trouble=trouble,
                email=account.email_normalized,
                locked_until=locked_until,
            ),
            customer_id=account.customer_id,
            contact_id=account.contact_id,
            happened_at=at,
            recurring=occasion is None,
        ),
    )


def mail_failed(db: Session, outbox_id: int) -> FollowUp | None:
    """An email the sender gave up on; called by the sender as it marks the row failed (the
    mail layer knows this function only as a hook, see ``server.app``)."""
    row = db.get(OutboxEmail, outbox_id)
    if row is None or row.status != "failed":
        return None
    account = db.get(PortalAccount, row.account_id) if row.account_id else None
    customer_id = row.customer_id
    if customer_id is not None and customer_id != (account.customer_id if account else None):
        account = None
    who = _contact_name(db, account.contact_id) if account else row.to_address
    return file_item(
        db,
        row.workspace_id,
        Filing(
            kind="mail_failed",
            # A retried email that fails again reopens its item.
            key=f"mail_failed:{row.id}",
            title=f"Email to {who} could not be sent: {row.subject}",
            details=FollowUpDetails(
                to_address=row.to_address,
                subject=row.subject,
                email_kind=row.kind,
                error=row.last_error,
                attempts=row.attempts,
            ),
            customer_id=customer_id,
            contact_id=account.contact_id if account else None,
            refs={"outbox_id": row.id},
            recurring=True,
        ),
    )
