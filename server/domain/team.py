"""The office team: staff members, their roles, and the permissions of each role.

Changes are recorded for sync: a member as entity "team" under its staff id; the permission
table as a "workspace" change, since it lives on the workspace row (``permissions_version``).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from server.db.base import utcnow
from server.db.models import StaffInvite, StaffToken, StaffUser, Workspace
from server.domain import staff_invites
from server.domain.audit import Actor, record_event
from server.domain.changes import record_change
from server.domain.concurrency import check_if_match, lock_workspace
from server.domain.errors import Conflict, Invalid, NotFound
from server.domain.ids import parse_row_number
from server.domain.permissions import OWNER_FLOOR, ROLES, Permission, permissions_for
from server.wire.base import Page
from server.wire.team import (
    TeamMember,
    TeamMemberCreate,
    TeamMemberPatch,
    TeamPermissions,
    TeamPermissionsUpdate,
)


def member_out(
    user: StaffUser, last_active_at: datetime | None = None, invite_live: bool = False
) -> TeamMember:
    """The staff API's view of a staff member."""
    if user.is_active:
        state = "active"
    elif staff_invites.is_invited(user) and invite_live:
        state = "invited"
    else:
        state = "deactivated"
    return TeamMember(
        id=user.id,
        email=user.email,
        name=user.name,
        role=user.role,  # roles are checked on write
        active=user.is_active,
        created_at=user.created_at,
        status=state,
        last_active_at=last_active_at,
    )


def members_out(session: Session, users: list[StaffUser]) -> list[TeamMember]:
    """Members with their last sign-in and whether an invite link of theirs still works."""
    ids = [u.id for u in users]
    if not ids:
        return []
    last: dict[int, datetime] = {
        staff_id: at
        for staff_id, at in session.execute(
            select(StaffToken.staff_id, func.max(StaffToken.created_at))
            .where(StaffToken.staff_id.in_(ids))
            .group_by(StaffToken.staff_id)
        )
    }
    live = set(
        session.scalars(
            select(StaffInvite.staff_id).where(
                StaffInvite.staff_id.in_(ids),
                StaffInvite.used_at.is_(None),
                StaffInvite.revoked_at.is_(None),
                StaffInvite.expires_at > utcnow(),
            )
        )
    )
    return [member_out(u, last.get(u.id), u.id in live) for u in users]


def list_members(
    session: Session, ws: Workspace, limit: int, cursor: str | None
) -> Page[TeamMember]:
    """The team in the order members were added, a page at a time."""
    after = _cursor(cursor)
    where = [StaffUser.workspace_id == ws.id]
    count = session.scalar(select(func.count()).select_from(StaffUser).where(*where)) or 0
    rows = list(
        session.scalars(
            select(StaffUser)
            .where(*where, StaffUser.id > after)
            .order_by(StaffUser.id)
            .limit(limit + 1)
        )
    )
    more = len(rows) > limit
    rows = rows[:limit]
    return Page[TeamMember](
        data=members_out(session, rows),
        count=count,
        next_cursor=str(rows[-1].id) if more else None,
    )


def _cursor(cursor: str | None) -> int:
    if cursor is None or cursor == "":
        return 0
    number = parse_row_number(cursor)
    if number is None:
        raise Invalid("That cursor is not one this list gave out.", errors={"cursor": "Unknown."})
    return number


def _member(session: Session, ws: Workspace, member_id: int) -> StaffUser:
    user = session.scalar(
        select(StaffUser).where(StaffUser.id == member_id, StaffUser.workspace_id == ws.id)
    )
    if user is None:
        raise NotFound("There is no such team member.")
    return user


def add_member(
    session: Session, ws: Workspace, body: TeamMemberCreate, actor: Actor, base_url: str
) -> staff_invites.IssuedStaffInvite:
    """Invite a staff member: they choose their own password from the link."""
    return staff_invites.invite_member(session, ws, body, actor, base_url)


def get_member(session: Session, ws: Workspace, member_id: int) -> StaffUser:
    """One member of this workspace (404 for anyone else's)."""
    return _member(session, ws, member_id)


def update_member(
    session: Session, ws: Workspace, member_id: int, patch: TeamMemberPatch, actor: Actor
) -> StaffUser:
    """Rename, change the role of, or switch off a member; the last active owner stays."""
    lock_workspace(session, ws)  # two owners demoting each other at once must not both win
    user = _member(session, ws, member_id)
    if patch.active is False and staff_invites.is_invited(user):
        # Switching off someone who has not joined yet withdraws their invite link.
        staff_invites.revoke_all(session, user)
        record_event(
            session, ws.id, actor, "team.invite_withdrawn", staff_id=user.id, email=user.email
        )
        record_change(session, ws.id, "team", user.id, "upsert")
        session.commit()
    changes: dict[str, object] = {}
    if patch.name is not None and patch.name != user.name:
        changes["name"] = patch.name
    if patch.role is not None and patch.role != user.role:
        changes["role"] = patch.role
    if patch.active is not None and patch.active != user.is_active:
        changes["active"] = patch.active
    if changes.get("active") is True and staff_invites.is_invited(user):
        raise Conflict(
            f"{user.email} has not chosen a password yet. Send them a new invite link instead.",
            errors={"active": "Not joined yet."},
        )
    if not changes:
        return user
    stops_owning = (
        user.role == "owner"
        and user.is_active
        and (changes.get("role", "owner") != "owner" or changes.get("active") is False)
    )
    if stops_owning and _other_active_owners(session, ws, user.id) == 0:
        raise Conflict(
            "This is the last active owner. Make someone else an owner first.",
            errors={"role" if "role" in changes else "active": "The last owner must stay."},
        )
    before = {"name": user.name, "role": user.role, "active": user.is_active}
    if "name" in changes:
        user.name = str(changes["name"])
    if "role" in changes:
        user.role = str(changes["role"])
    if "active" in changes:
        user.is_active = bool(changes["active"])
        if not user.is_active:
            staff_invites.revoke_all(session, user)
            # Switched off means signed out everywhere, not just refused on the next check.
            session.execute(
                update(StaffToken)
                .where(StaffToken.staff_id == user.id, StaffToken.revoked_at.is_(None))
                .values(revoked_at=utcnow())
            )
    record_event(
        session,
        ws.id,
        actor,
        "team.member_updated",
        staff_id=user.id,
        email=user.email,
        changes={k: {"from": before[k], "to": v} for k, v in changes.items()},
    )
    record_change(session, ws.id, "team", user.id, "upsert")
    session.commit()
    return user


def _other_active_owners(session: Session, ws: Workspace, member_id: int) -> int:
    return (
        session.scalar(
            select(func.count())
            .select_from(StaffUser)
            .where(
                StaffUser.workspace_id == ws.id,
                StaffUser.role == "owner",
                StaffUser.is_active.is_(True),
                StaffUser.id != member_id,
            )
        )
        or 0
    )


def permissions_doc(ws: Workspace) -> TeamPermissions:
    """Every role's effective permissions in this workspace."""
    return TeamPermissions(
        roles={r: sorted(p.value for p in permissions_for(r, ws.permissions)) for r in ROLES},
        available=[p.value for p in Permission],
        owner_floor=sorted(p.value for p in OWNER_FLOOR),
        version=ws.permissions_version,
    )


def set_permissions(
    session: Session,
    ws: Workspace,
    body: TeamPermissionsUpdate,
    if_match: str | None,
    actor: Actor,
) -> TeamPermissions:
    """Replace the permission lists of the roles given (under ``If-Match``)."""
    lock_workspace(session, ws)
    check_if_match(if_match, ws.permissions_version, "team permissions")
    known = {p.value for p in Permission}
    errors: dict[str, str] = {}
    for role, names in body.roles.items():
        if role not in ROLES:
            errors[f"roles.{role}"] = f"Unknown role; use {', '.join(ROLES)}."
            continue
        bad = sorted(set(names) - known)
        if bad:
            errors[f"roles.{role}"] = f"Unknown permission: {', '.join(bad)}."
    if errors:
        raise Invalid("Some permissions need attention.", errors=errors)
    before = permissions_doc(ws).roles
    stored = dict(ws.permissions or {})
    for role, names in body.roles.items():
        perms = set(names) | ({p.value for p in OWNER_FLOOR} if role == "owner" else set())
        stored[role] = sorted(perms)
    ws.permissions = stored
    after = permissions_doc(ws).roles
    if after == before:
        return permissions_doc(ws)
    ws.permissions_version += 1
    diff = {
        role: {
            "added": sorted(set(after[role]) - set(before[role])),
            "removed": sorted(set(before[role]) - set(after[role])),
        }
        for role in ROLES
        if after[role] != before[role]
    }
    record_event(session, ws.id, actor, "team.permissions_changed", changes=diff)
    record_change(session, ws.id, "workspace", ws.id, "upsert")
    session.commit()
    return permissions_doc(ws)
