"""Workspace settings from the console: name, portal address, time zone, locale, currency."""

from __future__ import annotations

import zoneinfo
from functools import cache
from typing import Any

from babel import Locale
from babel.numbers import get_currency_name, list_currencies

from app.api_client import ApiClient
from server.wire.local_time import DEFAULT_LOCALE, LocalFormat


async def load(api: ApiClient) -> tuple[dict[str, Any], str]:
    """The workspace settings and the ETag a change must send back."""
    response = await api.request("GET", "/api/v1/workspace")
    return response.json(), response.headers.get("ETag", "")


async def update(api: ApiClient, etag: str, changes: dict[str, Any]) -> tuple[dict[str, Any], str]:
    """Change some settings based on the version ``etag`` names (412 when someone was first)."""
    response = await api.request(
        "PATCH", "/api/v1/workspace", json=changes, headers={"If-Match": etag}
    )
    return response.json(), response.headers.get("ETag", "")


def local_format(record: dict[str, Any] | None) -> LocalFormat:
    """The workspace's time zone and locale from its settings (its cached record, or the
    answer of ``load``): what every date the console shows a customer's details in uses."""
    record = record or {}
    return LocalFormat(record.get("time_zone") or None, record.get("locale") or DEFAULT_LOCALE)


@cache
def time_zones() -> list[str]:
    """Every IANA time zone, sorted, without the legacy aliases people do not look for."""
    return [
        *sorted(
            z
            for z in zoneinfo.available_timezones()
            if "/" in z and not z.startswith(("Etc/", "SystemV/"))
        ),
        "UTC",
    ]


# Locales offered in the list: the languages a trades business's customers most likely read,
# in the regions where they work. Any CLDR locale code can still be typed.
COMMON_LOCALES = (
    "en_US",
    "en_CA",
    "en_GB",
    "en_AU",
    "en_NZ",
    "en_IE",
    "es_US",
    "es_MX",
    "es_ES",
    "fr_CA",
    "fr_FR",
    "de_DE",
    "nl_NL",
    "it_IT",
    "pt_BR",
)


@cache
def locales() -> list[tuple[str, str]]:
    """``(code, "English (United States)")`` for the locales the panel lists."""
    return [(code, Locale.parse(code).get_display_name("en_US") or code) for code in COMMON_LOCALES]


@cache
def currencies() -> list[tuple[str, str]]:
    """``(code, "US Dollar")`` for every ISO currency Babel knows."""
    return [(code, get_currency_name(code, locale="en_US")) for code in sorted(list_currencies())]
