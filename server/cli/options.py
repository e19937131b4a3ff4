"""Options every ``portal-server`` command shares: where the database is, the public address."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from server.settings import Settings


def add_db_options(p: argparse.ArgumentParser) -> None:
    """``--data-dir`` or ``--database-url``, one or the other."""
    group = p.add_mutually_exclusive_group()
    group.add_argument("--data-dir", type=Path, help="folder for the SQLite database")
    group.add_argument("--database-url", help="SQLAlchemy URL, e.g. postgresql+psycopg://...")


def add_public_base_url(p: argparse.ArgumentParser) -> None:
    """``--public-base-url``, the address customers' links are built on."""
    p.add_argument(
        "--public-base-url",
        help="address customers use, e.g. https://portal.example.com (every link in an email "
        "is built on it); default http://HOST:PORT, required with --host 0.0.0.0 or ::",
    )


def settings_from(args: argparse.Namespace) -> Settings:
    """The server's settings with the command line's database options applied."""
    overrides: dict[str, object] = {}
    if getattr(args, "data_dir", None):
        overrides["data_dir"] = args.data_dir
        overrides["database_url"] = None
    if getattr(args, "database_url", None):
        overrides["database_url"] = args.database_url
    settings = Settings(**overrides)  # type: ignore[arg-type]
    if settings.database_url is None and settings.data_dir is None:
        settings = Settings(data_dir=default_data_dir())
    if settings.data_dir is not None and settings.database_url is None:
        settings.data_dir.mkdir(parents=True, exist_ok=True)
    return settings


def default_data_dir() -> Path:
    """Where the local workspace keeps its database when nothing else is said."""
    import platformdirs

    return Path(platformdirs.user_data_dir("toolbag-portal", appauthor=False)) / "local-server"


def fail(message: str) -> int:
    """Say what went wrong on stderr; the exit status of a refused command."""
    print(f"portal-server: {message}", file=sys.stderr)
    return 2
