"""Dates, times and money as a workspace's customers read them: in the business's time zone
and locale (CLDR patterns through Babel), never hand-built formats.

The date and time rules are ``server.wire.local_time`` (the console shows its dates by the same
rules); money and the machine's own zone are the server's alone.
"""

from __future__ import annotations

import zoneinfo

from babel.numbers import format_currency

from server.wire.local_time import (
    DEFAULT_LOCALE,
    Localised,
    format_day,
    format_when,
    local,
    locale_of,
)

__all__ = [
    "DEFAULT_LOCALE",
    "Localised",
    "format_amount",
    "format_day",
    "format_when",
    "local",
    "machine_time_zone",
]


def format_amount(cents: int | None, currency: str, ws: Localised) -> str:
    """Cents in the workspace's locale: ``$1,234.50`` (en_US), ``1.234,50 €`` (de_DE)."""
    if cents is None:
        return ""
    return format_currency(cents / 100, currency.upper(), locale=locale_of(ws.locale))


def machine_time_zone() -> str | None:
    """The IANA name of this machine's time zone (a local workspace starts in it), or None."""
    try:
        import tzlocal

        name = tzlocal.get_localzone_name()
    except Exception:  # no zone configured, or one tzlocal cannot name
        return None
    return name if name and name in zoneinfo.available_timezones() else None
