"""The database as the commands find it: ``migrate``, the schema check, a session."""

from __future__ import annotations

import argparse

from server.cli.options import fail, settings_from
from server.settings import Settings


def cmd_migrate(args: argparse.Namespace) -> int:
    """``portal-server migrate``: bring the database schema up to date."""
    from server.db import migrate
    from server.db.engine import make_engine

    engine = make_engine(settings_from(args).resolved_database_url)
    migrate.upgrade(engine)
    print(f"Database is at migration {migrate.current_revision(engine)}.")
    return 0


def check_schema(settings: Settings) -> str | None:
    """Migrate a fresh database; for an outdated one, say what to run instead of serving."""
    from server.db import migrate
    from server.db.engine import make_engine

    engine = make_engine(settings.resolved_database_url)
    try:
        if migrate.is_empty(engine):
            migrate.upgrade(engine)
            return None
        current, head = migrate.current_revision(engine), migrate.head_revision()
        if current != head:
            return (
                f"the database is at migration {current} but this server needs {head}. "
                "Back it up, then run 'portal-server migrate' with the same database options."
            )
        return None
    finally:
        engine.dispose()


def open_session(settings: Settings):  # type: ignore[no-untyped-def]
    """A session on a database whose schema is current (exits with the reason otherwise)."""
    from server.db.engine import make_engine, make_sessionmaker

    problem = check_schema(settings)
    if problem:
        raise SystemExit(fail(problem))
    return make_sessionmaker(make_engine(settings.resolved_database_url))()
