"""Staff sign-in."""

from __future__ import annotations

from datetime import datetime

from pydantic import Field

from server.wire.base import Request, Response


class TokenRequest(Request):
    """``POST /api/v1/auth/token``."""

    email: str = Field(min_length=3, max_length=320)
    password: str = Field(min_length=1, max_length=1024)


class TokenResponse(Response):
    """An opaque bearer token."""

    access_token: str
    token_type: str = "bearer"  # noqa: S105  (a scheme name, not a secret)
    expires_at: datetime


class Me(Response):
    """The signed-in staff member, their workspace and what they may do."""

    id: int
    email: str
    name: str
    role: str
    permissions: list[str]
    workspace_id: int
    workspace_slug: str
    workspace_name: str
    portal_status: str
    # Stays the same across restarts, address and slug changes: what a client keys its copy of
    # the workspace's data by.
    workspace_key: str


# The staff account the console signs in as on the embedded local workspace (seeded by
# ``portal-server local``); the console reads it from here, the seed writes it.
LOCAL_OWNER_EMAIL = "owner@demo.toolbag.test"
