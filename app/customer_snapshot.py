"""The customer search index saved next to the cache, so a start loads it instead of building it.

Building the index for 100,000 customers reads every cached row and takes seconds of CPU;
loading it back is reading a few large blocks (about 30 MB) and takes tens of milliseconds.
The file is a copy of a copy: it carries the cache's customer generation it was built from,
and anything unexpected (another format, a short read, a different machine's byte order)
makes ``load`` answer None, and the caller rebuilds from the cache.

Layout: a magic line, one JSON line (format, stamp, and each block's name, type and size),
then the blocks back to back. Arrays are raw machine values; strings are UTF-8.
"""

from __future__ import annotations

import json
import logging
import os
import sys
from array import array
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any, BinaryIO

from app.cache.rows import NUMBERS
from app.customer_search import CustomerIndex
from app.customer_table import SEP, TEXTS, CustomerTable, TextColumn
from app.index_parts import IdPositions, IndexParts
from app.word_index import WordIndex

log = logging.getLogger(__name__)

MAGIC = b"toolbag customer index\n"
FORMAT = 1
_ARRAY_TYPES = ("I", "q", "d")


def save(path: Path, index: CustomerIndex, stamp: str) -> None:
    """Write ``index`` (built from the cache at ``stamp``) to ``path``, atomically."""
    if index.rows.overlay:
        raise ValueError("an index with replaced rows cannot be saved; rebuild it first")
    blocks = list(_blocks(index))
    header = {
        "format": FORMAT,
        "stamp": stamp,
        "byteorder": sys.byteorder,
        "rows": len(index),
        "now": index.now.isoformat(),
        "blocks": [[name, kind, len(data)] for name, kind, data in blocks],
    }
    tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
    with tmp.open("wb") as fh:
        fh.write(MAGIC)
        fh.write(json.dumps(header).encode() + b"\n")
        for _name, _kind, data in blocks:
            fh.write(data)
    tmp.chmod(0o600)  # customers' names and emails: private to this user, like the cache
    os.replace(tmp, path)


def _blocks(index: CustomerIndex) -> Iterator[tuple[str, str, bytes]]:
    table, words = index.rows, index.words
    for name, text in table.texts.items():
        yield from _text_blocks(f"col.{name}", text)
    for name, numbers in table.numbers.items():
        yield f"num.{name}", "q", numbers.tobytes()
    yield from _text_blocks("vocab", words.vocab)
    yield "flat", "I", words.flat.tobytes()
    yield "offsets", "I", words.offsets.tobytes()
    heavy = sorted(words.heavy)
    size = _bitset_bytes(len(index))
    yield "heavy.keys", "str", SEP.join(heavy).encode()
    yield "heavy.bits", "bytes", b"".join(words.heavy[k].to_bytes(size, "little") for k in heavy)
    yield "statuses", "bytes", bytes(index.statuses)
    due_at, due_pos = index.due_remaining()
    yield "due.at", "d", due_at.tobytes()
    yield "due.pos", "I", due_pos.tobytes()
    yield "ids", "q", index.position.ids.tobytes()
    yield "positions", "I", index.position.positions.tobytes()


def _text_blocks(name: str, column: TextColumn) -> Iterator[tuple[str, str, bytes]]:
    yield f"{name}.text", "str", column.text.encode("utf-8", "surrogatepass")
    yield f"{name}.starts", "I", column.starts.tobytes()


def _bitset_bytes(rows: int) -> int:
    return (rows + 7) // 8


def load(path: Path) -> tuple[str, CustomerIndex] | None:
    """The saved index and its stamp, or None when there is none or it cannot be used."""
    try:
        with path.open("rb") as fh:
            if fh.readline() != MAGIC:
                return None
            header = json.loads(fh.readline())
            if header.get("format") != FORMAT or header.get("byteorder") != sys.byteorder:
                return None
            blocks = dict(_read_blocks(fh, header["blocks"]))
            index = CustomerIndex.from_parts(_parts(blocks, header))
    except (OSError, ValueError, KeyError, TypeError, IndexError) as exc:
        log.info("the saved customer index at %s cannot be used: %s", path, exc)
        return None
    return str(header["stamp"]), index


def _read_blocks(fh: BinaryIO, specs: list[list[Any]]) -> Iterator[tuple[str, Any]]:
    for name, kind, size in specs:
        data = fh.read(size)
        if len(data) != size:
            raise ValueError(f"block {name} is cut short")
        if kind == "str":
            yield name, data.decode("utf-8", "surrogatepass")
        elif kind == "bytes":
            yield name, data
        elif kind in _ARRAY_TYPES:
            values = array(kind)
            values.frombytes(data)
            yield name, values
        else:
            raise ValueError(f"block {name} has an unknown type {kind!r}")


def _parts(blocks: dict[str, Any], header: dict[str, Any]) -> IndexParts:
    rows = int(header["rows"])

    def text(name: str, expected: int | None = None) -> TextColumn:
        column = TextColumn(blocks[f"{name}.text"], blocks[f"{name}.starts"])
        if expected is not None and len(column) != expected:
            raise ValueError(f"{name} has {len(column)} values for {expected} rows")
        return column

    texts = {name: text(f"col.{name}", rows) for name in TEXTS}
    numbers = {name: blocks[f"num.{name}"] for name in NUMBERS}
    if any(len(values) != rows for values in numbers.values()):
        raise ValueError("a number column does not cover every row")
    table = CustomerTable(texts, numbers)
    keys = blocks["heavy.keys"].split(SEP) if blocks["heavy.keys"] else []
    size, bits = _bitset_bytes(rows), blocks["heavy.bits"]
    if len(bits) != size * len(keys):
        raise ValueError("the bitsets and their prefixes disagree")
    heavy = {
        key: int.from_bytes(bits[i * size : (i + 1) * size], "little") for i, key in enumerate(keys)
    }
    words = WordIndex(rows, text("vocab"), blocks["flat"], blocks["offsets"], heavy)
    statuses = bytearray(blocks["statuses"])
    if len(statuses) != rows or len(blocks["positions"]) != rows:
        raise ValueError("statuses or positions do not cover every row")
    return IndexParts(
        table,
        words,
        IdPositions(blocks["ids"], blocks["positions"]),
        statuses,
        blocks["due.at"],
        blocks["due.pos"],
        datetime.fromisoformat(header["now"]),
    )
