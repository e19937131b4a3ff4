"""The workspace's own settings: ``/api/v1/workspace``."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from server.wire.base import Request, Response
from server.wire.rollout import ItemKey

PortalState = Literal["coming_soon", "active"]


class WorkspaceOut(Response):
    """The workspace: its name, public path and whether the portal is open to customers."""

    id: int
    name: str
    slug: str
    portal_status: PortalState
    portal_url: str
    version: int


class WorkspacePatch(Request):
    """``PATCH /api/v1/workspace``: only the fields given change (needs ``If-Match``).

    Changing the slug moves the portal to a new address: links already sent stop working.
    Switching ``portal_status`` to ``active`` while blocking checklist items are open
    (``GET /api/v1/rollout/readiness``, ``open_blocking``) is refused with 409 unless
    ``acknowledged_open_items`` names every one of them.
    """

    name: str | None = Field(default=None, min_length=1, max_length=200)
    slug: str | None = Field(default=None, min_length=1, max_length=63)
    portal_status: PortalState | None = None
    # Going live while blocking readiness items are open needs each one named here.
    acknowledged_open_items: list[ItemKey] | None = None
