"""Who was last signed in where: the ``/auth/me`` answer of each remembered sign-in.

With it the console opens a workspace's cache at start before the server has answered (or
while it cannot be reached) and knows which cache is whose. Not a secret (the token stays in
the keyring) but personal: the file is private to this user.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import Any

import orjson

from app import paths

log = logging.getLogger(__name__)

FILE_NAME = "known-sessions.json"


def _file() -> Path:
    return paths.config_dir() / FILE_NAME


def _key(server_url: str, email: str) -> str:
    return f"{server_url.rstrip('/')}|{email.strip().lower()}"


def _load() -> dict[str, dict[str, Any]]:
    try:
        data = orjson.loads(_file().read_bytes())
    except FileNotFoundError:
        return {}
    except (OSError, ValueError) as exc:
        log.warning("ignoring unreadable %s: %s", FILE_NAME, exc)
        return {}
    return {str(k): dict(v) for k, v in data.items() if isinstance(v, dict)}


def _save(data: dict[str, dict[str, Any]]) -> None:
    path = _file()
    temp = path.with_suffix(".tmp")
    fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as out:
        out.write(orjson.dumps(data))
    os.replace(temp, path)


def recall(server_url: str, email: str) -> dict[str, Any] | None:
    """The ``/auth/me`` answer last seen for this sign-in, or None."""
    if not server_url or not email:
        return None
    return _load().get(_key(server_url, email))


def remember(server_url: str, email: str, me: dict[str, Any]) -> None:
    """Keep ``me`` for the next start."""
    data = _load()
    if data.get(_key(server_url, email)) != me:
        data[_key(server_url, email)] = dict(me)
        _save(data)


def forget(server_url: str, email: str) -> None:
    """Forget this sign-in (signed out and its data removed)."""
    data = _load()
    if data.pop(_key(server_url, email), None) is not None:
        _save(data)
