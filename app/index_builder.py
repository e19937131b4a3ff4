"""Builds the customer search index in a child process and saves it where the panel loads it.

``python -m app.index_builder PARENT_PID CACHE_FILE INDEX_FILE`` (one of the console's helper
processes, ``app.helper_processes``): reads every cached customer, builds the
index and saves it (``app.customer_snapshot``). A worker thread in the console would do the same
work, but it shares the GIL with the UI thread: on a busy two-core machine that alone stalls the
event loop for 50-100 ms at a time. A child process shares nothing; its peak memory (every
row as Python strings, for a moment) is returned to the system when it exits; and the saved
file it leaves is exactly what the next start loads.
"""

from __future__ import annotations

import asyncio
import logging
import os
import subprocess
import sys
from pathlib import Path

from app.helper_processes import helper_command

log = logging.getLogger(__name__)

LIMIT_SECONDS = 600.0


class IndexBuildFailed(Exception):
    """The child process could not build the index."""


async def build_in_child(cache_file: Path, index_file: Path) -> None:
    """Run the builder as a child process and wait for it without blocking the loop."""
    proc = _spawn(cache_file, index_file)
    loop = asyncio.get_running_loop()
    deadline = loop.time() + LIMIT_SECONDS
    try:
        while proc.poll() is None:
            if loop.time() > deadline:
                raise IndexBuildFailed("building the customer index took too long")
            await asyncio.sleep(0.05)
    finally:
        if proc.poll() is None:  # cancelled (panel closed) or too slow: leave nothing behind
            proc.kill()
            proc.wait()
        err = proc.stderr.read().decode(errors="replace") if proc.stderr else ""
        if proc.stderr is not None:
            proc.stderr.close()
    if proc.returncode != 0:
        raise IndexBuildFailed(err.strip().splitlines()[-1] if err.strip() else "no details")


def _spawn(cache_file: Path, index_file: Path) -> subprocess.Popen[bytes]:
    # Only a failure writes to stderr (a traceback), far below what fills a pipe.
    return subprocess.Popen(  # noqa: S603  (our own interpreter and module)
        helper_command("app.index_builder", str(cache_file), str(index_file)),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )


def build(cache_file: Path, index_file: Path) -> None:
    """Read the cache's customers, build their index and save it."""
    from app.cache import read_customer_columns
    from app.customer_search import CustomerIndex
    from app.customer_snapshot import save
    from app.customer_table import GENTLE

    GENTLE["sorting"] = False  # alone in this process: plain sorts are several times faster

    stamp, columns = read_customer_columns(cache_file)
    save(index_file, CustomerIndex.from_columns(columns), stamp)


def main(argv: list[str]) -> int:
    """Entry point of the child process."""
    if len(argv) != 3:
        print(
            "usage: python -m app.index_builder PARENT_PID CACHE_FILE INDEX_FILE", file=sys.stderr
        )
        return 2
    if os.getppid() != int(argv[0]):  # the console is gone: nobody wants this index
        return 1
    if hasattr(os, "nice"):
        # Background work: on a busy machine the console's UI thread must win the CPU.
        os.nice(10)
    build(Path(argv[1]), Path(argv[2]))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
