"""The office team: staff members and what each role may do (``/api/v1/team``)."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import Field, StrictBool

from server.wire.base import Request, Response

Role = Literal["owner", "manager", "dispatcher"]


class TeamMember(Response):
    """A staff member of the workspace (also the ``data`` of a "team" change)."""

    id: int
    email: str
    name: str
    role: Role
    active: bool
    created_at: datetime
    # active: may sign in; invited: has not set a password from the invite link yet;
    # deactivated: switched off (or an invite that was withdrawn).
    status: Literal["active", "invited", "deactivated"] = "active"
    last_active_at: datetime | None = None


class TeamMemberCreate(Request):
    """``POST /api/v1/team``: invite a staff member by email.

    Nobody types a password for someone else: the new member gets a link (by email, and shown
    once to whoever invited them) where they choose their own. Until then they are "invited".
    """

    email: str = Field(min_length=3, max_length=320)
    name: str = Field(min_length=1, max_length=200)
    role: Role


class TeamInvite(Response):
    """A staff invite as answered once: the member and their link (valid 7 days)."""

    member: TeamMember
    # None when a retried request is answered again: the link is shown once.
    invite_url: str | None
    expires_at: datetime


class TeamMemberPatch(Request):
    """``PATCH /api/v1/team/{id}``: change a role, or switch a member off (or on again)."""

    name: str | None = Field(default=None, min_length=1, max_length=200)
    role: Role | None = None
    active: StrictBool | None = None


class TeamPermissions(Response):
    """``GET /api/v1/team/permissions``: each role's permissions; the ETag is ``version``.

    ``owner_floor`` lists what owners always keep, whatever is saved.
    """

    roles: dict[str, list[str]]
    available: list[str]
    owner_floor: list[str]
    version: int


class TeamPermissionsUpdate(Request):
    """``PUT /api/v1/team/permissions``: the full permission list of each role given.

    Roles left out keep what they have.
    """

    roles: dict[str, list[str]]
