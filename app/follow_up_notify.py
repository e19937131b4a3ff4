"""Which new follow-up items become a desktop notification, and remembering which did.

The rules, without Qt: an item is notified once, only while open, only for the kinds the
person chose, never in their quiet hours, and only if it arrived after the console started
watching this workspace (the first sync of a workspace brings its history: that is not news).
Every item considered is remembered in the cache file (``app.cache.follow_ups``), so neither
a restart nor a resync that replays old changes notifies anything twice. An item that arrives
during quiet hours is remembered as considered: it waits in the inbox, counted in the sidebar,
and does not pop up when the quiet hours end.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from datetime import time as day_time
from pathlib import Path
from typing import Any

from app.cache import follow_ups as table
from app.config import NOTIFY_DEFAULT_KINDS
from app.follow_up_text import KIND_LABELS

# Kinds notified unless the person chooses otherwise (declared with the setting).
DEFAULT_KINDS: tuple[str, ...] = NOTIFY_DEFAULT_KINDS
# More new items at once than this become one summary notification instead of a burst.
BURST = 3


def parse_clock(text: str) -> day_time | None:
    """ "22:00" as a time of day; "" as None; anything else raises ``ValueError`` with a
    plain message."""
    text = text.strip()
    if not text:
        return None
    try:
        hours, minutes = text.split(":")
        return day_time(int(hours), int(minutes))
    except ValueError:
        raise ValueError(
            f"“{text}” is not a time of day: write it as HH:MM, such as 22:00."
        ) from None


@dataclass(frozen=True)
class NotifyRules:
    """Which kinds to notify, and the quiet hours (both ends or neither; may pass midnight)."""

    kinds: frozenset[str]
    quiet_start: day_time | None = None
    quiet_end: day_time | None = None

    @classmethod
    def from_settings(cls, kinds: Sequence[str], start: str, end: str) -> NotifyRules:
        """Rules from the console's settings (an unreadable quiet hour means none)."""
        try:
            quiet = (parse_clock(start), parse_clock(end))
        except ValueError:
            quiet = (None, None)
        known = frozenset(k for k in kinds if k in KIND_LABELS)
        if None in quiet:
            return cls(known)
        return cls(known, quiet[0], quiet[1])

    def quiet_at(self, moment: datetime) -> bool:
        """Whether ``moment`` (local time) falls in the quiet hours."""
        start, end = self.quiet_start, self.quiet_end
        if start is None or end is None or start == end:
            return False
        now = moment.time().replace(second=0, microsecond=0)
        if start < end:
            return start <= now < end
        return now >= start or now < end  # e.g. 22:00 to 07:00

    def wants(self, item: Mapping[str, Any]) -> bool:
        """Whether an item of this kind and state is worth telling about."""
        return item.get("state") == "open" and item.get("kind") in self.kinds


@dataclass(frozen=True)
class Notification:
    """One notification to show: a title, a message and the item it opens (None: the inbox)."""

    title: str
    message: str
    item_id: int | None


class NotifyLog:
    """The notifier's memory in the cache file: which items were considered, and since when
    the console has been watching."""

    def __init__(self, cache_path: Path | str) -> None:
        # Used from one worker thread at a time (the notifier's), never two at once.
        self._conn = sqlite3.connect(
            str(cache_path), isolation_level=None, timeout=5.0, check_same_thread=False
        )
        for statement in table.STATEMENTS:
            self._conn.execute(statement)

    def close(self) -> None:
        """Close the connection."""
        self._conn.close()

    @property
    def watching_since(self) -> float | None:
        """When this console started watching the workspace (epoch seconds), or None."""
        value = table.notify_meta(self._conn, "since")
        return None if value is None else float(value)

    def start_watching(self, at: float) -> float:
        """Start watching at ``at`` unless already watching; answers since when."""
        since = self.watching_since
        if since is None:
            table.set_notify_meta(self._conn, "since", repr(at))
            since = at
        return since

    def items(self, ids: Iterable[int]) -> list[dict[str, Any]]:
        """The cached JSON of the follow-up items among ``ids``."""
        return table.records(self._conn, ids)

    def seen(self, ids: Iterable[int]) -> set[int]:
        """Which ``ids`` were considered before."""
        return table.notified_among(self._conn, ids)

    def remember(self, ids: Iterable[int], at: float | None = None) -> None:
        """Remember ``ids`` as considered (one transaction)."""
        self._conn.execute("BEGIN IMMEDIATE")
        try:
            table.mark_notified(self._conn, ids, time.time() if at is None else at)
        except BaseException:
            self._conn.execute("ROLLBACK")
            raise
        self._conn.execute("COMMIT")


def decide(
    items: Sequence[Mapping[str, Any]],
    rules: NotifyRules,
    log: NotifyLog,
    now: datetime,
) -> list[Notification]:
    """The notifications for items that sync just brought, remembering every item decided.

    Items already considered, done, of unchosen kinds, or older than the watch are never
    notified; in quiet hours nothing is shown (and nothing is kept to show later).
    """
    since = log.start_watching(now.timestamp())
    ids = [int(i["id"]) for i in items]
    seen = log.seen(ids)
    fresh = [i for i in items if int(i["id"]) not in seen]
    # Items from before the watch began are history (a first sync, a resync): never news.
    news = [i for i in fresh if table.epoch(_text(i.get("happened_at"))) >= since - 1]
    wanted = [i for i in news if rules.wants(i)]
    # Decided once, whatever the outcome: items of kinds not chosen are not kept for later
    # either (choosing a kind later notifies what comes after, not the backlog), and an item
    # reopened later is not news.
    log.remember(int(i["id"]) for i in fresh)
    if not wanted or rules.quiet_at(now.astimezone()):
        return []
    if len(wanted) > BURST:
        kinds = sorted({KIND_LABELS[str(i["kind"])].lower() for i in wanted})
        return [
            Notification(
                f"{len(wanted)} new follow-ups",
                "New: " + ", ".join(kinds) + ". Open the Follow-up inbox to see them.",
                None,
            )
        ]
    return [
        Notification(KIND_LABELS[str(i["kind"])], str(i.get("title") or ""), int(i["id"]))
        for i in wanted
    ]


def _text(value: Any) -> str | None:
    if isinstance(value, datetime):
        return value.isoformat()
    return None if value is None else str(value)
