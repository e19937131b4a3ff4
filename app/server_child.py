"""Runs ``portal-server`` as the console's child and makes it exit when the console dies.

``python -m app.server_child PARENT_PID serve ...``: two guards, so no stray server is left
even when the console is killed: on Linux the kernel sends SIGTERM when the parent dies
(PR_SET_PDEATHSIG); everywhere, a thread waits for end-of-file on stdin, a pipe whose other end
only the console holds.
"""

from __future__ import annotations

import ctypes
import os
import signal
import sys
import threading
import time

PR_SET_PDEATHSIG = 1
GRACE_SECONDS = 5.0


def _set_parent_death_signal() -> None:
    if not sys.platform.startswith("linux"):
        return
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM, 0, 0, 0)
    except (OSError, AttributeError):
        pass  # the stdin watchdog still covers this


def _exit_soon() -> None:
    """Ask the server to stop like Ctrl+C would, and end the process if it has not soon after."""
    os.kill(os.getpid(), signal.SIGTERM)
    time.sleep(GRACE_SECONDS)
    os._exit(0)


def _watch_stdin() -> None:
    try:
        while sys.stdin.buffer.read(1024):
            pass
    except (OSError, ValueError):
        pass
    _exit_soon()


def main(argv: list[str]) -> int:
    """Install the guards, then run the server command."""
    parent = int(argv[0])
    _set_parent_death_signal()
    if os.getppid() != parent:  # the console died before the guard was in place
        return 1
    threading.Thread(target=_watch_stdin, name="parent-watchdog", daemon=True).start()
    from server.cli import main as server_main

    try:
        code = server_main(argv[1:])
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else 1
    # Leave at once: the watchdog thread is blocked reading stdin, and a normal interpreter
    # shutdown with it still reading aborts the process.
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
