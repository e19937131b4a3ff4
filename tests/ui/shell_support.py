"""Helpers for driving the console shell inside a running qasync loop."""

from __future__ import annotations

import asyncio
from pathlib import Path

from PySide6.QtCore import QSettings

from app.api_client import make_http_client
from app.config import Config
from app.credentials import CredentialStore
from ui.console import Console
from ui.main_window import MainWindow

SCREENSHOTS = Path(__file__).resolve().parents[2] / "screenshots" / "console"


async def until(predicate, within: float = 10.0, step: float = 0.02) -> None:
    """Await a condition without a nested Qt loop (safe inside qasync)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + within
    while not predicate():
        if loop.time() > deadline:
            raise AssertionError("condition not met in time")
        await asyncio.sleep(step)


class Shell:
    """A console with its window, on a fresh settings folder."""

    def __init__(self, qtbot, tmp_path: Path) -> None:
        self.http = make_http_client(timeout=10)
        self.config = Config()
        self.config.set("sync_interval", 0.2)
        self.config.set("reconnect_max_delay", 0.3)
        qsettings = QSettings(str(tmp_path / "window.ini"), QSettings.Format.IniFormat)
        self.window = MainWindow(qsettings)
        qtbot.addWidget(self.window)
        self.window.resize(1200, 760)
        self.window.show()
        self.console = Console(
            self.window, self.http, self.config, qsettings, credentials=CredentialStore()
        )

    async def open(self, ws, role: str = "owner") -> None:
        """Open the workspace signed in with the role's token, and wait for the first sync."""
        await self.console.open_session(
            ws.base_url, ws.emails[role], ws.tokens[role], source=ws.base_url
        )
        await until(lambda: self.console.last_sync is not None)

    async def close(self) -> None:
        """Shut down as closing the window does."""
        await self.console.shutdown()
        await self.http.aclose()

    def screenshot(self, name: str, widget=None) -> Path:
        """Save a PNG into screenshots/console (git-ignored) and return its path."""
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        path = SCREENSHOTS / f"{name}.png"
        assert (widget or self.window).grab().save(str(path))
        return path
