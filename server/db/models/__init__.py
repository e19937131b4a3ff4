"""Every table of the portal server; importing this package registers them all."""

from server.db.models.access import Invite, PortalAccount, PortalSession, ResetToken
from server.db.models.audit import AuditEvent, Change
from server.db.models.customers import Address, Contact, Customer
from server.db.models.files import Document, Photo, StoredFile
from server.db.models.follow_up import FollowUp
from server.db.models.infra import IdempotencyKey, OutboxEmail, RateLimitHit
from server.db.models.payments import Checkout, ProviderEvent
from server.db.models.rollout import CustomerGroup, CustomerGroupMember, StaffInvite
from server.db.models.staff import StaffToken, StaffUser
from server.db.models.work import (
    Invoice,
    InvoiceLine,
    Job,
    Payment,
    Quote,
    QuoteLine,
    ServiceRequest,
)
from server.db.models.workspace import FormerSlug, Workspace

__all__ = [
    "Address",
    "AuditEvent",
    "Change",
    "Checkout",
    "Contact",
    "Customer",
    "CustomerGroup",
    "CustomerGroupMember",
    "Document",
    "FollowUp",
    "FormerSlug",
    "IdempotencyKey",
    "Invite",
    "Invoice",
    "InvoiceLine",
    "Job",
    "OutboxEmail",
    "Payment",
    "Photo",
    "PortalAccount",
    "PortalSession",
    "ProviderEvent",
    "Quote",
    "QuoteLine",
    "RateLimitHit",
    "ResetToken",
    "ServiceRequest",
    "StaffInvite",
    "StaffToken",
    "StaffUser",
    "StoredFile",
    "Workspace",
]
