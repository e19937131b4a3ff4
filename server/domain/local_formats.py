"""Dates, times and money as a workspace's customers read them: in the business's time zone
and locale (CLDR patterns through Babel), never hand-built formats.

A workspace with no time zone yet shows times in UTC and says so, so nobody misreads them;
once the zone is set, times are the business's local time without a zone suffix.
"""

from __future__ import annotations

import zoneinfo
from datetime import UTC, date, datetime, tzinfo
from functools import lru_cache
from typing import Protocol

from babel import Locale
from babel.dates import format_skeleton, format_time
from babel.numbers import format_currency

DEFAULT_LOCALE = "en_US"


class Localised(Protocol):
    """What the formats need of a workspace."""

    @property
    def time_zone(self) -> str | None:
        """IANA zone name, or None for "not chosen yet" (UTC, said so)."""

    @property
    def locale(self) -> str:
        """CLDR locale code such as ``en_US``."""


@lru_cache(maxsize=64)
def _zone(name: str | None) -> tzinfo:
    if not name:
        return UTC
    try:
        return zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return UTC


@lru_cache(maxsize=64)
def _locale(code: str | None) -> Locale:
    try:
        return Locale.parse(code or DEFAULT_LOCALE)
    except (ValueError, TypeError):
        return Locale.parse(DEFAULT_LOCALE)


def local(value: datetime, ws: Localised) -> datetime:
    """A stored (UTC) time as the business's local time."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(_zone(ws.time_zone))


def format_day(value: date | datetime | None, ws: Localised) -> str:
    """A date as people read it: ``Tue, March 3, 2026`` (en_US), ``Tue, 3 March 2026`` (en_GB)."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = local(value, ws)
    return format_skeleton("yMMMMEd", value, locale=_locale(ws.locale))


def format_when(value: datetime | None, ws: Localised) -> str:
    """A date and time in the business's zone: ``Tue, March 3, 2026, 2:05 PM``.

    Without a time zone chosen the time is UTC and says so.
    """
    if value is None:
        return ""
    moment = local(value, ws)
    locale = _locale(ws.locale)
    clock = format_time(moment, "short", tzinfo=moment.tzinfo, locale=locale)
    text = f"{format_day(moment, ws)}, {clock}"
    return text if ws.time_zone else f"{text} UTC"


def format_amount(cents: int | None, currency: str, ws: Localised) -> str:
    """Cents in the workspace's locale: ``$1,234.50`` (en_US), ``1.234,50 €`` (de_DE)."""
    if cents is None:
        return ""
    return format_currency(cents / 100, currency.upper(), locale=_locale(ws.locale))


def machine_time_zone() -> str | None:
    """The IANA name of this machine's time zone (a local workspace starts in it), or None."""
    try:
        import tzlocal

        name = tzlocal.get_localzone_name()
    except Exception:  # no zone configured, or one tzlocal cannot name
        return None
    return name if name and name in zoneinfo.available_timezones() else None
