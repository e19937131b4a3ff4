"""What a panel is given: the services it may use, passed in rather than reached for."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from PySide6.QtCore import QSettings

from app.api_client import ApiClient
from app.cache import Cache
from app.config import Config
from app.session import StaffSession
from app.sync import SyncEngine

if TYPE_CHECKING:
    from ui.operations import Operations


@dataclass
class PanelContext:
    """The API client, signed-in session, cache, sync engine, operations runner and settings."""

    api: ApiClient
    session: StaffSession
    cache: Cache
    sync: SyncEngine
    ops: Operations
    settings: Config
    qsettings: QSettings
