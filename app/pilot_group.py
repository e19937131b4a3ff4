"""The pilot group of a rollout: repeat customers, found from the jobs the console has synced.

Decoding every cached job is work for a worker thread, never the UI thread: ``pilot_group``
runs the rule off the event loop.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from app.cache import Cache
from app.portal_status import aware


def pilot_customers(jobs: Sequence[dict[str, Any]], min_jobs: int, now: datetime) -> set[int]:
    """Repeat customers: at least ``min_jobs`` jobs done or booked in the last 12 months."""
    since = now - timedelta(days=365)
    counts: dict[int, int] = {}
    for job in jobs:
        when = aware(job.get("completed_at") or job.get("scheduled_start"))
        if when is not None and since <= when <= now + timedelta(days=1):
            cid = int(job["customer_id"])
            counts[cid] = counts.get(cid, 0) + 1
    return {cid for cid, n in counts.items() if n >= min_jobs}


async def pilot_group(cache: Cache, min_jobs: int, now: datetime) -> set[int]:
    """``pilot_customers`` of every cached job, decoded and counted on a worker thread."""
    return await asyncio.to_thread(lambda: pilot_customers(cache.records("job"), min_jobs, now))
