"""What a panel is given: the services it may use, passed in rather than reached for."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from PySide6.QtCore import QSettings

from app.api_client import ApiClient
from app.cache import Cache
from app.config import Config
from app.session import StaffSession
from app.sync import SyncEngine

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
