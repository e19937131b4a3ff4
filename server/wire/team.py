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


class TeamMemberCreate(Request):
    """``POST /api/v1/team``: add a staff member with a first password.

    The owner hands the password over in person; the new member signs in with it. There is
    no staff invite email: staff accounts are few and set up by the owner.
    """

    email: str = Field(min_length=3, max_length=320)
    name: str = Field(min_length=1, max_length=200)
    role: Role
    password: str = Field(min_length=1, max_length=1024)


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
