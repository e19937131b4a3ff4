"""Who is signed in to which server and workspace, and what they may do."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from app.paths import cache_file, url_workspace_key
from server.wire.permissions import Permission


@dataclass(frozen=True)
class StaffSession:
    """The signed-in staff member as ``GET /api/v1/auth/me`` describes them."""

    server_url: str
    email: str
    name: str
    role: str
    permissions: frozenset[str]
    workspace_id: int
    workspace_slug: str
    workspace_name: str
    portal_status: str
    # The server's lasting identity of the workspace: what the local cache is keyed by.
    workspace_key: str
    # The staff member's own id (who "me" is in the follow-up inbox); None from old answers.
    staff_id: int | None = None

    @classmethod
    def from_me(cls, server_url: str, me: Mapping[str, Any]) -> StaffSession:
        """Build a session from the JSON of ``/auth/me``."""
        return cls(
            server_url=server_url.rstrip("/"),
            email=str(me["email"]),
            name=str(me.get("name") or me["email"]),
            role=str(me["role"]),
            permissions=frozenset(str(p) for p in me.get("permissions", ())),
            workspace_id=int(me["workspace_id"]),
            workspace_slug=str(me["workspace_slug"]),
            workspace_name=str(me["workspace_name"]),
            portal_status=str(me["portal_status"]),
            workspace_key=str(
                me.get("workspace_key") or url_workspace_key(server_url, int(me["workspace_id"]))
            ),
            staff_id=int(me["id"]) if me.get("id") is not None else None,
        )

    def can(self, permission: Permission) -> bool:
        """Whether this person may do ``permission``."""
        return str(permission) in self.permissions

    @property
    def portal_active(self) -> bool:
        """Customers can sign in to the portal (not the coming-soon placeholder)."""
        return self.portal_status == "active"

    @property
    def portal_url(self) -> str:
        """The customer portal of this workspace."""
        return f"{self.server_url}/p/{self.workspace_slug}/"

    @property
    def cache_file(self) -> Path:
        """This workspace's cache database on this computer."""
        return cache_file(self.workspace_key)

    def with_portal_status(self, status: str) -> StaffSession:
        """A copy with a new portal status (after a workspace change came in by sync)."""
        return StaffSession(**{**self.__dict__, "portal_status": status})
