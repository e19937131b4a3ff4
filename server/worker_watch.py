"""Workers end when the process that started them is gone.

With ``serve --workers N`` uvicorn's main process supervises N worker processes. If the main
process is killed outright (``kill -9``, the OOM killer) the workers would go on serving on the
shared socket, and the next ``serve`` would fail with "address already in use". Each worker
therefore watches its supervisor: on Linux the kernel sends it SIGTERM the moment its parent
dies (``PR_SET_PDEATHSIG``), and everywhere a thread notices within a second that its parent
changed. SIGTERM lets uvicorn finish the requests in flight; a worker that has not exited a
few seconds later is ended.
"""

from __future__ import annotations

import ctypes
import logging
import os
import signal
import sys
import threading
import time

SUPERVISOR_ENV = "PORTAL_SUPERVISOR_PID"
_PR_SET_PDEATHSIG = 1
_GRACE_SECONDS = 10.0
_POLL_SECONDS = 1.0

log = logging.getLogger(__name__)


def mark_supervisor() -> None:
    """Called by ``serve`` before it starts several workers: they will watch this process."""
    os.environ[SUPERVISOR_ENV] = str(os.getpid())


def watch_supervisor() -> bool:
    """In a worker, end this process when its supervisor dies. Returns whether it watches."""
    raw = os.environ.get(SUPERVISOR_ENV, "")
    if not raw.isdigit() or int(raw) == os.getpid():
        return False  # a single-process server has no supervisor to watch
    supervisor = int(raw)
    if os.getppid() != supervisor:
        _stop(f"the server's main process {supervisor} is already gone")
        return True
    _ask_kernel_for_signal()
    threading.Thread(target=_poll, args=(supervisor,), name="supervisor-watch", daemon=True).start()
    return True


def _ask_kernel_for_signal() -> None:
    if not sys.platform.startswith("linux"):
        return
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGTERM, 0, 0, 0)
    except (OSError, AttributeError):  # no prctl: the polling thread still notices
        log.debug("prctl(PR_SET_PDEATHSIG) is not available; polling only")


def _poll(supervisor: int) -> None:
    while os.getppid() == supervisor:
        time.sleep(_POLL_SECONDS)
    _stop(f"the server's main process {supervisor} ended")


def _stop(reason: str) -> None:
    log.warning("Worker %s stopping: %s.", os.getpid(), reason)
    os.kill(os.getpid(), signal.SIGTERM)
    # uvicorn drains on SIGTERM; if something holds it up, do not serve on alone.
    timer = threading.Timer(_GRACE_SECONDS, os._exit, args=(1,))
    timer.daemon = True
    timer.start()
