"""Staff roles and the permissions each role has by default (owners may change them)."""

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
    RECORDS = "records"


ROLES = ("owner", "manager", "dispatcher")

_ALL = frozenset(Permission)
DEFAULT_PERMISSIONS: dict[str, frozenset[Permission]] = {
    "owner": _ALL,
    "manager": _ALL - {Permission.MANAGE_TEAM, Permission.EDIT_WORKSPACE},
    "dispatcher": frozenset(
        {
            Permission.VIEW_CUSTOMERS,
            Permission.INVITE,
            Permission.RESET,
            Permission.DISABLE,
            Permission.UNLOCK,
            Permission.EDIT_CONTACTS,
            Permission.PREVIEW,
            Permission.VIEW_AUDIT,
            Permission.VIEW_MAIL,
        }
    ),
}

# Owners always keep these, so a workspace can never lock itself out of its own team settings.
OWNER_FLOOR = frozenset({Permission.MANAGE_TEAM, Permission.EDIT_WORKSPACE})


def permissions_for(role: str, overrides: dict[str, list[str]] | None) -> frozenset[Permission]:
    """The permissions of a role in a workspace: the workspace's override, else the default."""
    names = (overrides or {}).get(role)
    perms = DEFAULT_PERMISSIONS.get(role, frozenset()) if names is None else _parse(names)
    if role == "owner":
        perms = perms | OWNER_FLOOR
    return perms


def _parse(names: list[str]) -> frozenset[Permission]:
    known = {p.value for p in Permission}
    return frozenset(Permission(n) for n in names if n in known)
