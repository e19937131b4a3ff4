"""Desktop notification rules: kinds chosen, quiet hours, nothing twice (restart, resync)."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

import pytest

from app.config import Config
from app.follow_up_notify import BURST, NotifyLog, NotifyRules, decide, parse_clock
from tests.app.follow_up_items import item

NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
RULES = NotifyRules(frozenset({"quote_approved", "service_request"}))


def at(minutes: float, i: int, kind: str = "quote_approved", **fields) -> dict:
    return item(i, kind, happened_at=NOW + timedelta(minutes=minutes), **fields)


@pytest.fixture
def log(tmp_path):
    log = NotifyLog(tmp_path / "cache.sqlite3")
    log.start_watching(NOW.timestamp())
    yield log
    log.close()


def test_new_open_items_of_chosen_kinds_are_notified_once(log):
    items = [
        at(1, 1),
        at(1, 2, "invoice_paid"),
        at(1, 3, state="done"),
        at(1, 4, "service_request"),
    ]
    shown = decide(items, RULES, log, NOW + timedelta(minutes=2))
    assert [(n.item_id, n.title) for n in shown] == [(1, "Quote approved"), (4, "Service request")]
    assert shown[0].message == items[0]["title"]
    # The same items again (a replay, another page, the item updated): nothing.
    again = [dict(items[0], version=2, assignee_id=5), items[3]]
    assert decide(again, RULES, log, NOW + timedelta(minutes=3)) == []


def test_history_from_before_the_watch_is_not_news(log):
    old = [at(-60, 10), at(-1, 11)]
    assert decide(old, RULES, log, NOW) == []


def test_nothing_twice_after_a_restart_or_a_resync(tmp_path):
    path = tmp_path / "cache.sqlite3"
    first = NotifyLog(path)
    first.start_watching(NOW.timestamp())
    assert len(decide([at(1, 1)], RULES, first, NOW + timedelta(minutes=2))) == 1
    first.close()
    # A restart: a new log on the same file keeps its memory and its watch start.
    second = NotifyLog(path)
    assert second.watching_since == NOW.timestamp()
    replay = [at(1, 1), at(5, 2)]  # a resync replays item 1 with a new one
    assert [n.item_id for n in decide(replay, RULES, second, NOW + timedelta(minutes=6))] == [2]
    second.close()


def test_quiet_hours_show_nothing_and_keep_nothing_for_later(log):
    rules = NotifyRules(RULES.kinds, time(11, 0), time(13, 0))
    local_noon = datetime.combine(NOW.astimezone().date(), time(12, 0)).astimezone()
    fresh = item(2, happened_at=local_noon + timedelta(minutes=1))
    assert decide([fresh], rules, log, local_noon + timedelta(minutes=2)) == []
    # After the quiet hours the item is not shown late.
    assert decide([fresh], rules, log, local_noon + timedelta(hours=2)) == []
    # Outside quiet hours the same rules notify.
    later = item(3, happened_at=local_noon + timedelta(hours=2))
    shown = decide([later], rules, log, local_noon + timedelta(hours=2, minutes=1))
    assert [n.item_id for n in shown] == [3]


def test_quiet_hours_across_midnight():
    rules = NotifyRules(frozenset(), time(22, 0), time(7, 0))
    day = datetime(2026, 12, 1)
    assert rules.quiet_at(day.replace(hour=23))
    assert rules.quiet_at(day.replace(hour=6, minute=59))
    assert not rules.quiet_at(day.replace(hour=7))
    assert not rules.quiet_at(day.replace(hour=12))
    assert not NotifyRules(frozenset(), time(9, 0), time(9, 0)).quiet_at(day.replace(hour=9))


def test_many_at_once_become_one_summary(log):
    items = [at(1, i, "service_request") for i in range(1, BURST + 3)]
    shown = decide(items, RULES, log, NOW + timedelta(minutes=2))
    assert len(shown) == 1 and shown[0].item_id is None
    assert shown[0].title == f"{BURST + 2} new follow-ups"
    assert "service request" in shown[0].message


def test_settings_declare_the_rules_and_bad_clock_text_is_explained(tmp_path):
    config = Config(tmp_path / "settings.json")
    rules = NotifyRules.from_settings(
        config.notify_kinds, config.quiet_hours_start, config.quiet_hours_end
    )
    assert "quote_approved" in rules.kinds and rules.quiet_start is None
    config.set("notify_kinds", ["mail_failed", "not_a_kind"])
    config.set("quiet_hours_start", "22:00")
    config.set("quiet_hours_end", "07:30")
    rules = NotifyRules.from_settings(
        Config(tmp_path / "settings.json").notify_kinds, "22:00", "07:30"
    )
    assert rules.kinds == {"mail_failed"} and rules.quiet_end == time(7, 30)
    with pytest.raises(ValueError, match="HH:MM"):
        parse_clock("10pm")
    with pytest.raises(ValueError, match="HH:MM"):
        parse_clock("25:00")
    # An unreadable setting means no quiet hours, not a crash.
    assert NotifyRules.from_settings(["mail_failed"], "soon", "07:00").quiet_start is None
