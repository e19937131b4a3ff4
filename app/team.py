"""The Team panel's calls and rules: members, staff invites, roles, the permission table.

Permission names come from the server; ``LABELS`` says what each lets a person do, in the
words the console shows (an unknown name still shows, as itself).
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from typing import Any

from app.api_client import ApiClient

ROLES = ("owner", "manager", "dispatcher")
LABELS: dict[str, str] = {
    "view_customers": "See customers",
    "invite": "Invite, resend and revoke invites",
    "reset": "Send password reset links",
    "disable": "Disable and enable portal access",
    "unlock": "Unlock locked accounts",
    "bulk_invite": "Bulk invite and pilot groups",
    "edit_contacts": "Edit contacts",
    "edit_contact_email": "Edit the email of a contact with portal access",
    "preview": "Preview the portal as a customer",
    "review_files": "Review files before customers see them",
    "edit_visibility": "Edit what customers see",
    "edit_branding": "Edit branding",
    "edit_workspace": "Go live and workspace settings",
    "manage_team": "Manage the team",
    "view_audit": "See the access history",
    "view_mail": "See outgoing email",
    "records": "CRM records API",
}
LAST_OWNER = (
    "A workspace always keeps at least one active owner, so that someone can manage the "
    "team and switch the portal. Make another member an owner first."
)


def label(permission: str) -> str:
    """What a permission lets someone do."""
    return LABELS.get(permission, permission.replace("_", " ").capitalize())


def why_not(permission: str, role: str) -> str:
    """The tooltip of an action the signed-in person may not take."""
    return (
        f"Needs the “{label(permission)}” permission ({permission}), which your role "
        f"({role}) does not have. An owner can grant it in the Permissions tab of Team."
    )


async def members(api: ApiClient) -> list[dict[str, Any]]:
    """Every member of the team (all pages)."""
    out: list[dict[str, Any]] = []
    cursor: str | None = None
    while True:
        params: dict[str, Any] = {"limit": 500}
        if cursor:
            params["cursor"] = cursor
        page = await api.get_json("/api/v1/team", params=params)
        out.extend(page["data"])
        cursor = page.get("next_cursor")
        if not cursor:
            return out


async def invite_member(api: ApiClient, email: str, name: str, role: str) -> dict[str, Any]:
    """Invite someone by email; answers the member and their link (shown once)."""
    response = await api.request(
        "POST",
        "/api/v1/team",
        json={"email": email, "name": name, "role": role},
        headers={"Idempotency-Key": uuid.uuid4().hex},
    )
    data: dict[str, Any] = response.json()
    return data


async def resend_invite(api: ApiClient, member_id: int) -> dict[str, Any]:
    """A new link for someone who has not joined yet."""
    response = await api.request(
        "POST",
        f"/api/v1/team/{int(member_id)}/invite",
        headers={"Idempotency-Key": uuid.uuid4().hex},
    )
    data: dict[str, Any] = response.json()
    return data


async def update_member(api: ApiClient, member_id: int, **changes: Any) -> dict[str, Any]:
    """Change a member's role, or switch them off (their sign-ins end at once) or on."""
    response = await api.request("PATCH", f"/api/v1/team/{int(member_id)}", json=changes)
    data: dict[str, Any] = response.json()
    return data


async def permissions(api: ApiClient) -> tuple[dict[str, Any], str]:
    """The permission table and the ETag a save must send back."""
    response = await api.request("GET", "/api/v1/team/permissions")
    return response.json(), response.headers.get("ETag", "")


async def save_permissions(
    api: ApiClient, etag: str, roles: Mapping[str, Sequence[str]]
) -> tuple[dict[str, Any], str]:
    """Save the table as based on ``etag`` (412 when another owner saved since)."""
    response = await api.request(
        "PUT",
        "/api/v1/team/permissions",
        json={"roles": {r: sorted(p) for r, p in roles.items()}},
        headers={"If-Match": etag},
    )
    return response.json(), response.headers.get("ETag", "")


def last_owner_problem(
    team: Sequence[Mapping[str, Any]], member_id: int, role: str | None, active: bool | None
) -> str | None:
    """Why a change would leave no active owner (checked here to explain; the server decides)."""
    member = next((m for m in team if m["id"] == member_id), None)
    if member is None or member["role"] != "owner" or not member["active"]:
        return None
    stops = (role is not None and role != "owner") or active is False
    others = [m for m in team if m["id"] != member_id and m["role"] == "owner" and m["active"]]
    return LAST_OWNER if stops and not others else None


def status_text(member: Mapping[str, Any]) -> str:
    """A member's status as the table shows it."""
    return {
        "active": "Active",
        "invited": "Invited, has not joined yet",
        "deactivated": "Switched off",
    }.get(str(member.get("status")), str(member.get("status")))


def changed_roles(
    saved: Mapping[str, Sequence[str]], edited: Mapping[str, Sequence[str]]
) -> dict[str, list[str]]:
    """Only the roles whose permission list the owner changed."""
    return {
        role: sorted(perms)
        for role, perms in edited.items()
        if set(perms) != set(saved.get(role, ()))
    }
