"""Staff roles and the permissions each role has by default (owners may change them).

The permission names themselves are part of the contract and live in ``server.wire.permissions``.
"""

from __future__ import annotations

from server.wire.permissions import Permission

__all__ = ["DEFAULT_PERMISSIONS", "OWNER_FLOOR", "ROLES", "Permission", "permissions_for"]

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
            Permission.HANDLE_FOLLOW_UP,
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
