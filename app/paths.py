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


def cache_file(workspace_key: str) -> Path:
    """The cache database of one workspace, named by the server's identity for it (not by the
    server's address, which may change: a new port, a new host name)."""
    safe = "".join(c for c in workspace_key if c.isalnum() or c in "-_")[:64]
    if not safe:
        safe = hashlib.sha256(workspace_key.encode()).hexdigest()[:32]
    return cache_dir() / f"ws-{safe}.sqlite3"


def url_workspace_key(server_url: str, workspace_id: int) -> str:
    """A cache key for a server too old to name its workspaces (no ``workspace_key``)."""
    return hashlib.sha256(f"{server_url.rstrip('/')}|{workspace_id}".encode()).hexdigest()[:32]


def _ensure(path: Path) -> Path:
    # Customer data, tokens' companions and logs: private to this user on a shared machine.
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    if path.stat().st_mode & 0o077:
        path.chmod(0o700)
    return path
