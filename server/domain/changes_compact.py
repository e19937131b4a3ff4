"""The compact form of each entity in the changes feed: its model and the columns sent.

Customers are the exception: their ``data`` is the full ``CustomerRow`` (built in
``changes_feed`` from the customer columns listed here, in this order).
"""

from __future__ import annotations

from typing import Any

from server.db.models import (
    Contact,
    Customer,
    Document,
    Invoice,
    Job,
    Payment,
    Photo,
    PortalAccount,
    Quote,
    ServiceRequest,
    StaffUser,
    Workspace,
)

_WORKSPACE_COLS = (
    Workspace.id,
    Workspace.slug,
    Workspace.name,
    Workspace.portal_status,
    Workspace.version,
    Workspace.branding_version,
    Workspace.visibility_version,
    Workspace.permissions_version,
    # The console shows its dates in the business's zone and locale, offline too.
    Workspace.time_zone,
    Workspace.locale,
)

# entity -> (model, columns of its compact form). Customers are built by _customer_data.
COMPACT: dict[str, tuple[Any, tuple[Any, ...]]] = {
    "customer": (
        Customer,
        (
            Customer.id,
            Customer.external_id,
            Customer.name,
            Customer.kind,
            Customer.phone,
            Customer.address_line,
            Customer.primary_contact_id,
            Customer.primary_contact_name,
            Customer.primary_email,
            Customer.access_status,
            Customer.access_invite_expires_at,
            Customer.access_locked_until,
            Customer.last_sign_in_at,
            Customer.version,
            Customer.updated_at,
        ),
    ),
    "contact": (
        Contact,
        (
            Contact.id,
            Contact.customer_id,
            Contact.external_id,
            Contact.name,
            Contact.email,
            Contact.phone,
            Contact.role,
            Contact.is_primary,
            Contact.version,
            Contact.updated_at,
        ),
    ),
    "portal_account": (
        PortalAccount,
        (
            PortalAccount.id,
            PortalAccount.contact_id,
            PortalAccount.customer_id,
            PortalAccount.email_normalized.label("email"),
            PortalAccount.status,
            PortalAccount.failed_attempts,
            PortalAccount.locked_until,
            PortalAccount.last_sign_in_at,
            PortalAccount.disabled_at,
            PortalAccount.updated_at,
        ),
    ),
    "job": (
        Job,
        (
            Job.id,
            Job.customer_id,
            Job.external_id,
            Job.number,
            Job.title,
            Job.internal_status,
            Job.technician_name,
            Job.scheduled_start,
            Job.scheduled_end,
            Job.completed_at,
            Job.source,
            Job.updated_at,
        ),
    ),
    "quote": (
        Quote,
        (
            Quote.id,
            Quote.customer_id,
            Quote.job_id,
            Quote.external_id,
            Quote.number,
            Quote.title,
            Quote.status,
            Quote.currency,
            Quote.total_cents,
            Quote.issued_at,
            Quote.expires_at,
            Quote.decided_at,
            Quote.updated_at,
        ),
    ),
    "invoice": (
        Invoice,
        (
            Invoice.id,
            Invoice.customer_id,
            Invoice.job_id,
            Invoice.external_id,
            Invoice.number,
            Invoice.status,
            Invoice.currency,
            Invoice.total_cents,
            Invoice.balance_cents,
            Invoice.issued_at,
            Invoice.due_at,
            Invoice.version,
            Invoice.updated_at,
        ),
    ),
    "payment": (
        Payment,
        (
            Payment.id,
            Payment.invoice_id,
            Payment.customer_id,
            Payment.amount_cents,
            Payment.currency,
            Payment.method,
            Payment.provider,
            Payment.status,
            Payment.receipt_number,
            Payment.paid_at,
        ),
    ),
    "service_request": (
        ServiceRequest,
        (
            ServiceRequest.id,
            ServiceRequest.customer_id,
            ServiceRequest.contact_id,
            ServiceRequest.description,
            ServiceRequest.preferred_times,
            ServiceRequest.status,
            ServiceRequest.job_id,
            ServiceRequest.created_at,
        ),
    ),
    "document": (
        Document,
        (
            Document.id,
            Document.customer_id,
            Document.job_id,
            Document.external_id,
            Document.title,
            Document.filename,
            Document.review_status,
            Document.created_at,
        ),
    ),
    "photo": (
        Photo,
        (
            Photo.id,
            Photo.customer_id,
            Photo.job_id,
            Photo.service_request_id,
            Photo.external_id,
            Photo.caption,
            Photo.review_status,
            Photo.taken_at,
            Photo.created_at,
        ),
    ),
    "workspace": (Workspace, _WORKSPACE_COLS),
    "branding": (Workspace, _WORKSPACE_COLS),
    "visibility": (Workspace, _WORKSPACE_COLS),
    "team": (
        StaffUser,
        (StaffUser.id, StaffUser.email, StaffUser.name, StaffUser.role, StaffUser.is_active),
    ),
}
