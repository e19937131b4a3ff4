"""Dates and times as a workspace's people read them: in the business's time zone and locale
(CLDR patterns through Babel), never hand-built formats. One rule for the server (portal pages,
emails) and the console (the dates in its panels).

A workspace with no time zone yet shows times in UTC and says so, so nobody misreads them;
once the zone is set, times are the business's local time without a zone suffix. A reader
whose own zone is known and differs from the business's at that moment (a customer in another
state) gets the same local time with the business's zone named: "2:05 PM Pacific Standard
Time", so "2 PM" is never read as their own 2 PM.
"""

from __future__ import annotations

import zoneinfo
from dataclasses import dataclass
from datetime import UTC, date, datetime, tzinfo
from functools import lru_cache
from typing import Protocol

from babel import Locale
from babel.dates import format_skeleton, format_time, get_timezone_name

DEFAULT_LOCALE = "en_US"


def time_zone_problem(name: str) -> str | None:
    """Why ``name`` is not an IANA time zone, or None."""
    if name in zoneinfo.available_timezones():
        return None
    return "Choose a time zone from the list, like America/Los_Angeles."


class Localised(Protocol):
    """What the formats need of a workspace."""

    @property
    def time_zone(self) -> str | None:
        """IANA zone name, or None for "not chosen yet" (UTC, said so)."""

    @property
    def locale(self) -> str:
        """CLDR locale code such as ``en_US``."""


@dataclass(frozen=True)
class LocalFormat:
    """A workspace's zone and locale as plain values (the console reads them from its cache)."""

    time_zone: str | None
    locale: str = DEFAULT_LOCALE


@lru_cache(maxsize=64)
def zone(name: str | None) -> tzinfo:
    """The zone of an IANA name; UTC for none or an unknown one."""
    if not name:
        return UTC
    try:
        return zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return UTC


@lru_cache(maxsize=64)
def locale_of(code: str | None) -> Locale:
    """The Babel locale of a code; ``en_US`` for none or an unknown one."""
    try:
        return Locale.parse(code or DEFAULT_LOCALE)
    except (ValueError, TypeError):
        return Locale.parse(DEFAULT_LOCALE)


def local(value: datetime, ws: Localised) -> datetime:
    """A stored (UTC) time as the business's local time."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(zone(ws.time_zone))


def format_day(value: date | datetime | None, ws: Localised) -> str:
    """A date as people read it: ``Tue, March 3, 2026`` (en_US), ``Tue, 3 March 2026`` (en_GB)."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = local(value, ws)
    return format_skeleton("yMMMMEd", value, locale=locale_of(ws.locale))


def format_short_day(value: datetime, ws: Localised, now: datetime) -> str:
    """A short date: ``Nov 3`` this year, ``Nov 3, 2025`` another (en_US; ``3 Nov`` en_GB)."""
    moment, today = local(value, ws), local(now, ws)
    skeleton = "MMMd" if moment.year == today.year else "yMMMd"
    return format_skeleton(skeleton, moment, locale=locale_of(ws.locale))


def format_clock(value: datetime, ws: Localised) -> str:
    """The time of day: ``2:05 PM`` (en_US), ``14:05`` (en_GB), with no zone named."""
    moment = local(value, ws)
    return format_time(moment, "short", tzinfo=moment.tzinfo, locale=locale_of(ws.locale))


def zone_differs(value: datetime, ws: Localised, viewer_zone: str | None) -> bool:
    """The reader's zone is known and its clock shows another time than the business's then
    (same offset, like Vancouver and Los Angeles, is not different)."""
    if not viewer_zone or not ws.time_zone or zone(viewer_zone) is UTC:
        return False  # unknown, or a name that is no zone (``zone`` answers plain UTC then)
    moment = local(value, ws)
    return moment.utcoffset() != moment.astimezone(zone(viewer_zone)).utcoffset()


def zone_name(value: datetime, ws: Localised) -> str:
    """The business's zone as its locale names it at that moment: ``Pacific Standard Time``."""
    moment = local(value, ws)
    return str(get_timezone_name(moment, width="long", locale=locale_of(ws.locale)))


def format_when(value: datetime | None, ws: Localised, viewer_zone: str | None = None) -> str:
    """A date and time in the business's zone: ``Tue, March 3, 2026, 2:05 PM``.

    Without a time zone chosen the time is UTC and says so; for a reader in another zone
    (``viewer_zone``) the business's zone is named after the time.
    """
    if value is None:
        return ""
    text = f"{format_day(value, ws)}, {format_clock(value, ws)}"
    if not ws.time_zone:
        return f"{text} UTC"
    if zone_differs(value, ws, viewer_zone):
        return f"{text} {zone_name(value, ws)}"
    return text
