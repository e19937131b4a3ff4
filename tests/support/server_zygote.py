"""A warm parent that forks ``portal-server serve`` processes on request (tests only).

``python -m tests.support.server_zygote DATA_DIR PORT``: imports the server once, then for
every line ``serve`` on stdin forks a child that serves DATA_DIR on 127.0.0.1:PORT and
prints the child's pid. The fault tests kill those children with SIGKILL and ask for the next
one: a restart then costs what a preloading process manager's does (a fork and the app's
start-up), not a cold interpreter's imports, so twenty restarts fit in a test run.
"""

from __future__ import annotations

import os
import signal
import sys

import uvicorn  # noqa: F401  (imported before forking, once)

import server.app
import server.asgi  # noqa: F401
from server.cli import main as server_main


def main(argv: list[str]) -> int:
    """Serve fork requests until stdin ends."""
    data_dir, port = argv[0], argv[1]
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # children are reaped by the kernel
    for line in sys.stdin:
        if line.strip() != "serve":
            continue
        pid = os.fork()
        if pid == 0:
            signal.signal(signal.SIGCHLD, signal.SIG_DFL)
            sys.stdin.close()
            # stdout carries pids to the test; what the server prints goes to the log.
            sys.stdout.flush()
            os.dup2(sys.stderr.fileno(), sys.stdout.fileno())
            code = server_main(
                ["serve", "--data-dir", data_dir, "--host", "127.0.0.1", "--port", port]
            )
            os._exit(code or 0)
        print(pid, flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
