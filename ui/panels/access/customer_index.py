"""The Access list's search index of the cached customers, built off the UI thread."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from app import customer_snapshot, index_builder
from app.customer_search import CustomerIndex

log = logging.getLogger(__name__)


async def build_index(cache: Any) -> CustomerIndex:
    """A fresh index of the cached rows, built in a child process (see app.index_builder)."""
    saved = None
    try:
        await index_builder.build_in_child(cache.path, cache.index_path)
        saved = await asyncio.to_thread(customer_snapshot.load, cache.index_path)
    except (index_builder.IndexBuildFailed, OSError) as exc:
        log.warning("could not build the customer index in a child process: %s", exc)
    if saved is not None:
        saved[1].refresh_statuses()
        return saved[1]
    # Slower for the UI thread (the GIL is shared), but the list must show regardless.
    stamp, columns = await asyncio.to_thread(cache.customer_columns)
    index = await asyncio.to_thread(CustomerIndex.from_columns, columns)
    await asyncio.to_thread(_save_index, cache.index_path, index, stamp)
    return index


def _save_index(path: Any, index: CustomerIndex, stamp: str) -> None:
    # A saved index only speeds up the next start: failing to write one is not an error.
    try:
        customer_snapshot.save(path, index, stamp)
    except OSError as exc:
        log.info("could not save the customer index to %s: %s", path, exc)
