"""The cache writer process: decodes and writes pages of the changes feed for the console.

``python -m app.cache.writer_child PARENT_PID CACHE_FILE``. Decoding and writing a full sync
(half a million records) is Python work that holds the GIL; in a thread of the console it
competes with the event loop and the UI, in its own process it runs beside them on another
core. Each page is still one transaction with its cursor, so killing either process at any
moment leaves a cache that agrees with its cursor.

Requests arrive on stdin, answers leave on stdout (``protocol`` describes the frames). The
process ends at end-of-file on stdin: when the console closes the pipe or dies.
"""

from __future__ import annotations

import logging
import os
import sys

from app.cache import Cache, page_json  # noqa: F401  (imported once, before the first page)
from app.cache.protocol import (
    BEGIN_RESYNC,
    WRITE_PAGE,
    read_frame,
    split_page_payload,
    summary_to_wire,
    write_frame,
)

log = logging.getLogger(__name__)


def serve(cache: Cache) -> None:
    """Answer requests until stdin ends."""
    requests, answers = sys.stdin.buffer, sys.stdout.buffer
    while (frame := read_frame(requests)) is not None:
        op, payload = frame
        try:
            if op == WRITE_PAGE:
                since, body = split_page_payload(payload)
                answer: dict[str, object] = summary_to_wire(cache.write_json(body, since))
            elif op == BEGIN_RESYNC:
                cache.begin_resync()
                answer = {}
            else:
                answer = {"error": f"unknown request {op!r}"}
        except Exception as exc:  # reported to the console, which raises it there
            log.exception("cache write failed")
            answer = {"error": f"{type(exc).__name__}: {exc}"}
        write_frame(answers, b"A", answer)


def main(argv: list[str]) -> int:
    """Open the cache file and serve the parent; refuse if the parent is already gone."""
    parent, path = int(argv[0]), argv[1]
    if os.getppid() != parent:
        return 1
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr)
    cache = Cache(path)
    try:
        serve(cache)
    finally:
        cache.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
