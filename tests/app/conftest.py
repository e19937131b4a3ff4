"""Console core tests: a live server on SQLite, isolated folders, an in-memory keyring."""

from tests.support.console_fixtures import (  # noqa: F401  (fixtures)
    coming_soon_ws,
    console_home,
    live,
    memory_keyring,
    ws,
)
