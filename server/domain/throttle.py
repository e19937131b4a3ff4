"""Rate limits kept in the database, so every worker of the server counts the same hits.

Fixed windows: one row per key and window start, incremented with an upsert.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import delete, func, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from server.db.base import utcnow
from server.db.models import RateLimitHit


def _window_start(window: timedelta, now: datetime) -> datetime:
    seconds = int(window.total_seconds())
    epoch = int(now.timestamp())
    return datetime.fromtimestamp(epoch - epoch % seconds, UTC)


def hit(db: Session, key: str, window: timedelta) -> int:
    """Count one hit of ``key`` in the current window, commit, and return the window's count."""
    start = _window_start(window, utcnow())
    insert = pg_insert if db.get_bind().dialect.name == "postgresql" else sqlite_insert
    stmt = (
        insert(RateLimitHit)
        .values(key=key[:300], window_start=start, count=1)
        .on_conflict_do_update(
            index_elements=["key", "window_start"], set_={"count": RateLimitHit.count + 1}
        )
        .returning(RateLimitHit.count)
    )
    count = int(db.execute(stmt).scalar_one())
    # Old windows are deleted by housekeeping, not here: every hit does the same work, so a
    # throttled request costs the same for every key (no random extra statement to time).
    db.commit()
    return count


def hits(db: Session, key: str, window: timedelta) -> int:
    """How many hits ``key`` has in the current window."""
    start = _window_start(window, utcnow())
    found = db.scalar(
        select(func.coalesce(func.sum(RateLimitHit.count), 0)).where(
            RateLimitHit.key == key[:300], RateLimitHit.window_start == start
        )
    )
    return int(found or 0)


def over(db: Session, key: str, limit: int, window: timedelta) -> bool:
    """Count a hit and say whether the key is now over its limit."""
    return hit(db, key, window) > limit


def window_end(window: timedelta) -> datetime:
    """When the current window of ``window`` ends (a limit reached now lifts then)."""
    return _window_start(window, utcnow()) + window


def forget(db: Session, key: str) -> None:
    """Drop every count of ``key`` (in the caller's transaction), e.g. after an unlock."""
    db.execute(delete(RateLimitHit).where(RateLimitHit.key == key[:300]))
