"""Permission names: what a staff member may do, shared by the server and the console.

The server decides who has which (``server.domain.permissions``); the console only asks
whether the signed-in person has one, so both sides spell each name from this one enum.
"""

from __future__ import annotations

from enum import StrEnum


class Permission(StrEnum):
    """What a staff member may do; every staff route names the one it needs."""

    VIEW_CUSTOMERS = "view_customers"
    INVITE = "invite"
    RESET = "reset"
    DISABLE = "disable"
    UNLOCK = "unlock"
    BULK_INVITE = "bulk_invite"
    EDIT_CONTACTS = "edit_contacts"
    # Changing the email a portal account signs in with (see server.domain.sign_in_email):
    # not a dispatcher's by default, so nobody at the front desk can redirect a sign-in.
    EDIT_CONTACT_EMAIL = "edit_contact_email"
    PREVIEW = "preview"
    REVIEW_FILES = "review_files"
    EDIT_VISIBILITY = "edit_visibility"
    EDIT_BRANDING = "edit_branding"
    EDIT_WORKSPACE = "edit_workspace"
    MANAGE_TEAM = "manage_team"
    VIEW_AUDIT = "view_audit"
    VIEW_MAIL = "view_mail"
    # Working the follow-up inbox: assigning, marking done, and deciding service requests
    # (accept, ask, decline). Every role has it by default; reading the inbox needs only
    # view_customers.
    HANDLE_FOLLOW_UP = "handle_follow_up"
    RECORDS = "records"
