"""Console settings, each declared once with its type, default and description.

Stored as JSON in platformdirs' config folder. Secrets never live here: tokens go to keyring.
"""

from __future__ import annotations

import json
import logging
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from app import paths

# The notifier's default kinds (app.follow_up_notify reads them back from here).
NOTIFY_DEFAULT_KINDS = ("quote_approved", "service_request", "sign_in_trouble", "refund_needed")

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Setting:
    """One setting: its name, Python type, default and what it is for."""

    name: str
    type: type
    default: Any
    description: str


SETTINGS: tuple[Setting, ...] = (
    Setting("server_url", str, "", "Portal server to connect to; empty means the local workspace."),
    Setting("last_email", str, "", "Email of the last staff member signed in to server_url."),
    Setting("request_timeout", float, 30.0, "Seconds to wait for an answer from the server."),
    Setting("sync_interval", float, 5.0, "Seconds between checks for changes while online."),
    Setting(
        "local_sync_interval",
        float,
        1.0,
        "Seconds between checks for changes on the local workspace (on this computer a check "
        "costs next to nothing, so what customers do shows in the inbox within about a second).",
    ),
    Setting("sync_page_size", int, 1000, "Changes fetched per request while syncing."),
    Setting(
        "reconnect_max_delay",
        float,
        5.0,
        "Longest wait between reconnection attempts while the server cannot be reached (a "
        "refused connection costs the server nothing; the console is back within this long).",
    ),
    Setting("local_demo_customers", int, 500, "Demo customers seeded on first run."),
    Setting(
        "notify_kinds",
        list,
        list(NOTIFY_DEFAULT_KINDS),
        "Kinds of follow-up item announced by a desktop notification when they arrive "
        "(quote_approved, service_request...).",
    ),
    Setting(
        "quiet_hours_start",
        str,
        "",
        "From this time of day (HH:MM, local) no desktop notification is shown; empty: none.",
    ),
    Setting("quiet_hours_end", str, "", "When the quiet hours end (HH:MM, local)."),
    Setting("log_level", str, "INFO", "How much the console writes to its log (DEBUG, INFO...)."),
)
_BY_NAME = {s.name: s for s in SETTINGS}


class Config:
    """The settings of this console, read from and written to one JSON file."""

    def __init__(self, path: Path | None = None) -> None:
        self.path = path or paths.config_dir() / "settings.json"
        self._values: dict[str, Any] = {}
        self._load()

    def _load(self) -> None:
        try:
            raw = json.loads(self.path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return
        except (OSError, ValueError) as exc:
            log.warning("ignoring unreadable settings file %s: %s", self.path, exc)
            return
        if not isinstance(raw, dict):
            return
        for name, value in raw.items():
            setting = _BY_NAME.get(name)
            if setting is None:
                continue
            try:
                self._values[name] = _coerce(setting, value)
            except (TypeError, ValueError):
                log.warning("ignoring setting %s=%r: not a %s", name, value, setting.type.__name__)

    def get(self, name: str) -> Any:
        """The value of a setting (its default when never set)."""
        return self._values.get(name, _BY_NAME[name].default)

    def set(self, name: str, value: Any) -> None:
        """Change a setting and write the file."""
        self._values[name] = _coerce(_BY_NAME[name], value)
        self.save()

    def save(self) -> None:
        """Write the file atomically, so a crash never leaves half a settings file."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=self.path.parent, prefix=".settings-", suffix=".json")
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(self._values, fh, indent=2, sort_keys=True)
        os.replace(tmp, self.path)

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_") or name not in _BY_NAME:
            raise AttributeError(name)
        return self.get(name)


def _coerce(setting: Setting, value: Any) -> Any:
    if setting.type is float and isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    if not isinstance(value, setting.type) or isinstance(value, bool) != (setting.type is bool):
        raise TypeError(f"{setting.name} must be a {setting.type.__name__}")
    return value
