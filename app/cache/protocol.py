"""Frames between the console and its cache writer process, and page summaries on the wire.

A frame is one byte naming the request (or ``A`` for an answer), four bytes of length (big
endian) and the payload: for a page, the cursor it was fetched from, a newline and the page's
JSON as the server sent it; for an answer, its JSON.
"""

from __future__ import annotations

import struct
from typing import IO, Any

import orjson

from app.cache import PageSummary

WRITE_PAGE = b"W"
BEGIN_RESYNC = b"R"
_HEADER = struct.Struct("!cI")


def write_frame(
    stream: IO[bytes], op: bytes, payload: bytes | tuple[bytes, ...] | dict[str, Any]
) -> None:
    """Send one frame and flush it (a tuple payload is sent as its parts, joined)."""
    if isinstance(payload, dict):
        payload = orjson.dumps(payload)
    # Parts are written one after the other: a page (a megabyte or two) is not copied into
    # one new bytes object first.
    parts = payload if isinstance(payload, tuple) else (payload,)
    stream.write(_HEADER.pack(op, sum(map(len, parts))))
    for part in parts:
        stream.write(part)
    stream.flush()


def _read_exactly(stream: IO[bytes], size: int) -> bytes | None:
    chunks: list[bytes] = []
    while size:
        chunk = stream.read(size)
        if not chunk:
            return None
        chunks.append(chunk)
        size -= len(chunk)
    return b"".join(chunks)


def read_frame(stream: IO[bytes]) -> tuple[bytes, bytes] | None:
    """The next frame's request byte and payload; None at end of stream (or a cut frame)."""
    header = _read_exactly(stream, _HEADER.size)
    if header is None:
        return None
    op, size = _HEADER.unpack(header)
    payload = _read_exactly(stream, size) if size else b""
    return None if payload is None else (op, payload)


def page_payload(since: str | None, body: bytes) -> tuple[bytes, bytes]:
    """A page's frame payload: where it starts (empty: unchecked), a newline, its JSON."""
    return (since or "").encode() + b"\n", body


def split_page_payload(payload: bytes) -> tuple[str | None, memoryview]:
    """The cursor and JSON that ``page_payload`` joined (the JSON a view, not a copy)."""
    end = payload.index(b"\n")
    return payload[:end].decode() or None, memoryview(payload)[end + 1 :]


def summary_to_wire(summary: PageSummary) -> dict[str, Any]:
    """A page summary as JSON-ready values."""
    return {
        "customer_ids": list(summary.customer_ids),
        "records": {entity: list(ids) for entity, ids in summary.records.items()},
        "rows": summary.rows,
        "removed_by_resync": summary.removed_by_resync,
        "next_cursor": summary.next_cursor,
        "has_more": summary.has_more,
    }


def summary_from_wire(data: dict[str, Any]) -> PageSummary:
    """The page summary ``summary_to_wire`` sent."""
    return PageSummary(
        customer_ids=set(data["customer_ids"]),
        records={entity: set(ids) for entity, ids in data["records"].items()},
        rows=int(data["rows"]),
        removed_by_resync=int(data["removed_by_resync"]),
        next_cursor=str(data["next_cursor"]),
        has_more=bool(data["has_more"]),
    )
