"""``portal-console [--server URL]``: the office console's entry point.

Nothing here imports Qt at module level: a frozen bundle starts its helper processes (local
server, cache writer, index builder) by running this same program with ``-m MODULE``, and
those must not pay for, or be disturbed by, a Qt start-up. Only once it is clear that the
console itself runs is ``ui.console_app`` (PySide6, qasync, the window) imported.
"""

from __future__ import annotations

import importlib
import runpy
import sys

from app.helper_processes import HELPER_MODULES

# The console's Qt-free core that its start needs (the rest comes with these). Imported before
# Qt: once PySide6 is loaded it reads the source of every module imported after it (looking
# for its ``__feature__`` switches), tens of milliseconds of start-up for modules that never
# use Qt (pydantic, httpx and the core itself).
CORE_MODULES = (
    "app.access",
    "app.access_text",
    "app.api_client",
    "app.bulk_choice",
    "app.cache",
    "app.config",
    "app.credentials",
    "app.csv_io",
    "app.customer_snapshot",
    "app.customer_table",
    "app.email_cleanup",
    "app.file_count",  # the File review count, from the moment a workspace opens
    "app.follow_up_notify",  # the Follow-up watch, from the moment a workspace opens
    "app.index_builder",
    "app.known_sessions",
    "app.local_server",
    "app.log_files",
    "app.rollout_summary",
    "app.session",
    "app.sync",
    "app.version",
    "app.workspace_settings",
)


def run_helper(argv: list[str]) -> None:
    """In a frozen bundle, ``-m MODULE ARGS`` runs that helper and exits; else returns."""
    frozen = getattr(sys, "frozen", False)
    if not frozen or len(argv) < 2 or argv[0] != "-m" or argv[1] not in HELPER_MODULES:
        return
    sys.argv = [argv[1], *argv[2:]]
    runpy.run_module(argv[1], run_name="__main__", alter_sys=True)
    raise SystemExit(0)


def load_core() -> None:
    """Import the console's core before Qt (see ``CORE_MODULES``)."""
    for name in CORE_MODULES:
        importlib.import_module(name)


def main(argv: list[str] | None = None) -> int:
    """Entry point of ``portal-console``."""
    argv = sys.argv[1:] if argv is None else argv
    run_helper(argv)
    load_core()
    from ui import console_app  # Qt from here on

    return console_app.main(argv)


if __name__ == "__main__":
    raise SystemExit(main())
