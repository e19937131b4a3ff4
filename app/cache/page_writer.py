"""Where the sync's pages are decoded and written: the cache writer process, or this one.

``PageWriter`` hands each page to ``python -m app.cache.writer_child`` and waits for its
summary; the wait releases the GIL, so the event loop and the UI run on while another core
decodes and writes. If the writer process cannot start or dies, pages are written in this
process from then on (slower, same result): a page lands whole or not at all, so writing one
again after a writer died mid-page is safe.

Call it from one thread at a time (the sync's writer thread).
"""

from __future__ import annotations

import contextlib
import logging
import subprocess
from typing import IO, Any

try:
    import fcntl
except ImportError:  # Windows: pipes keep their default size
    fcntl = None  # type: ignore[assignment]

import orjson

from app.cache import Cache, PageOutOfOrder, PageSummary
from app.cache.protocol import (
    BEGIN_RESYNC,
    WRITE_PAGE,
    page_payload,
    read_frame,
    summary_from_wire,
    write_frame,
)
from app.helper_processes import helper_command

log = logging.getLogger(__name__)

STOP_TIMEOUT = 5.0


# A page is a megabyte or two: through Linux's default 64 KiB pipe it took some thirty
# wake-ups of each process; 1 MiB (the usual unprivileged limit) takes a couple.
PIPE_BYTES = 1 << 20


def _widen(stream: IO[bytes] | None) -> None:
    """Give the pipe to the writer process a larger buffer where the system allows it."""
    set_size = getattr(fcntl, "F_SETPIPE_SZ", None) if fcntl is not None else None
    if stream is None or set_size is None:
        return
    with contextlib.suppress(OSError):  # a smaller system limit: the default size works too
        fcntl.fcntl(stream.fileno(), set_size, PIPE_BYTES)


class CacheWriteError(RuntimeError):
    """The writer process could not write a page (its reason is the message)."""


class PageWriter:
    """Writes pages of the changes feed into ``cache``'s file, in a process of its own."""

    def __init__(self, cache: Cache, *, use_process: bool = True) -> None:
        self.cache = cache
        self._use_process = use_process
        self._proc: subprocess.Popen[bytes] | None = None

    @property
    def in_process(self) -> bool:
        """Pages are written in this process (no writer process, or it failed)."""
        return not self._use_process

    @property
    def pid(self) -> int | None:
        """The writer process's id while it runs."""
        return self._proc.pid if self._proc is not None and self._proc.poll() is None else None

    def write_json(self, body: bytes, since: str | None = None) -> PageSummary:
        """Decode and write one page with its cursor; returns what it changed.

        With ``since`` (the cursor the page was fetched from) the page is written only if it
        follows the cache's cursor (``CacheWriteError`` otherwise, nothing written).
        """
        answer = self._ask(WRITE_PAGE, page_payload(since, body))
        if answer is None:
            try:
                return self.cache.write_json(body, since)
            except PageOutOfOrder as exc:
                raise CacheWriteError(str(exc)) from exc
        return summary_from_wire(answer)

    def begin_resync(self) -> None:
        """Start a full resync (see ``Cache.begin_resync``)."""
        if self._ask(BEGIN_RESYNC, b"") is None:
            self.cache.begin_resync()

    def close(self) -> None:
        """End the writer process (it finishes the page in hand first)."""
        proc, self._proc = self._proc, None
        if proc is None:
            return
        if proc.stdin is not None:
            proc.stdin.close()
        try:
            proc.wait(STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        if proc.stdout is not None:
            proc.stdout.close()

    def _ask(self, op: bytes, payload: bytes | tuple[bytes, ...]) -> dict[str, Any] | None:
        """The writer process's answer, or None when this process must do the work."""
        proc = self._process()
        if proc is None:
            return None
        assert proc.stdin is not None and proc.stdout is not None
        try:
            write_frame(proc.stdin, op, payload)
            frame = read_frame(proc.stdout)
            if frame is None:
                raise EOFError("the cache writer closed its output")
            answer: dict[str, Any] = orjson.loads(frame[1])
        except (OSError, EOFError, ValueError) as exc:
            log.warning("cache writer process failed (%s); writing in the console from now on", exc)
            self._give_up()
            return None
        if "error" in answer:
            raise CacheWriteError(str(answer["error"]))
        return answer

    def _process(self) -> subprocess.Popen[bytes] | None:
        if not self._use_process:
            return None
        if self._proc is not None and self._proc.poll() is None:
            return self._proc
        if self._proc is not None:  # it ended by itself: not to be trusted again
            self._give_up()
            return None
        command = helper_command("app.cache.writer_child", str(self.cache.path))
        try:
            self._proc = subprocess.Popen(  # noqa: S603  (our own interpreter and module)
                command,
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                start_new_session=True,  # Ctrl+C in a terminal reaches the console only
            )
        except OSError as exc:
            log.warning("cannot start the cache writer process (%s); writing in the console", exc)
            self._use_process = False
            return None
        _widen(self._proc.stdin)
        return self._proc

    def _give_up(self) -> None:
        self._use_process = False
        proc, self._proc = self._proc, None
        if proc is not None:
            proc.kill()
            proc.wait()
            for stream in (proc.stdin, proc.stdout):
                if stream is not None:
                    stream.close()
