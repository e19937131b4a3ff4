"""What a panel is given: the services it may use, passed in rather than reached for."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from PySide6.QtCore import QSettings

from app.api_client import ApiClient
from app.cache import Cache
from app.config import Config
from app.session import StaffSession
from app.sync import FIRST_WAIT, SyncEngine
from app.workspace_settings import local_format
from server.wire.local_time import LocalFormat

if TYPE_CHECKING:
    from ui.operations import Operations

# The object name of what a panel starts for the workspace beside itself (a counter, a tray
# icon): the main window ends every such child when the workspace closes.
WORKSPACE_HELPER = "workspaceHelper"


@dataclass
class PanelContext:
    """The API client, signed-in session, cache, sync engine, operations runner, settings, and
    a way to open another panel."""

    api: ApiClient
    session: StaffSession
    cache: Cache
    sync: SyncEngine
    ops: Operations
    settings: Config
    qsettings: QSettings
    # Another panel by key; ``panel_unavailable`` says why one cannot open (None: it can).
    # The main window fills both in; a panel built alone gets "not in this console".
    open_panel: Callable[[str], None] = field(default=lambda _key: None)
    panel_unavailable: Callable[[str], str | None] = field(
        default=lambda _key: "That panel is not part of this console yet."
    )
    # Set once the customer list shows what the cache holds (or has nothing saved to show):
    # the sync engine's first round trip waits for it (see ``SyncEngine.start``).
    cached_rows_shown: asyncio.Event = field(default_factory=asyncio.Event)

    def local_format(self) -> LocalFormat:
        """The workspace's time zone and locale, from its cached settings (offline too)."""
        return local_format(self.cache.get_record("workspace", self.session.workspace_id))

    async def after_cached_rows(self) -> None:
        """Wait, briefly and at most ``FIRST_WAIT``, until the customer list shows the cache:
        requests made as a workspace opens go after the rows a person came for."""
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self.cached_rows_shown.wait(), FIRST_WAIT)
