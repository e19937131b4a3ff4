"""Where the console keeps its files: platformdirs' folders, overridable for tests."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import platformdirs

APP_NAME = "toolbag-portal"
# Tests and portable installs point every folder below one root with this variable.
ROOT_ENV = "TOOLBAG_CONSOLE_HOME"


def _base(kind: str) -> Path:
    root = os.environ.get(ROOT_ENV)
    if root:
        return Path(root) / kind
    finder = {
        "config": platformdirs.user_config_dir,
        "data": platformdirs.user_data_dir,
        "cache": platformdirs.user_cache_dir,
        "log": platformdirs.user_log_dir,
    }[kind]
    return Path(finder(APP_NAME, appauthor=False))


def config_dir() -> Path:
    """Settings (JSON) live here."""
    return _ensure(_base("config"))


def data_dir() -> Path:
    """The embedded local workspace keeps its database here."""
    return _ensure(_base("data"))


def cache_dir() -> Path:
    """Local copies of server data, one SQLite file per server and workspace."""
    return _ensure(_base("cache"))


def log_dir() -> Path:
    """The console's rotating log files."""
    return _ensure(_base("log"))


def local_server_dir() -> Path:
    """Data folder of the embedded local portal server."""
    return _ensure(data_dir() / "local-server")


def cache_file(server_url: str, workspace_id: int) -> Path:
    """The cache database of one server and workspace (the URL is hashed into a file name)."""
    key = hashlib.sha256(server_url.rstrip("/").encode()).hexdigest()[:16]
    return cache_dir() / f"{key}-ws{workspace_id}.sqlite3"


def _ensure(path: Path) -> Path:
    path.mkdir(parents=True, exist_ok=True)
    return path
