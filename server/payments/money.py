"""Amounts of money as customers read them."""

from __future__ import annotations

_SYMBOLS = {"USD": "$", "CAD": "$", "AUD": "$", "NZD": "$", "GBP": "£", "EUR": "€"}


def format_money(cents: int, currency: str) -> str:
    """``12345, "USD"`` -> ``$123.45``; currencies without a known symbol get their code."""
    code = currency.upper()
    sign = "-" if cents < 0 else ""
    whole, part = divmod(abs(cents), 100)
    number = f"{whole:,}.{part:02d}"
    symbol = _SYMBOLS.get(code)
    return f"{sign}{symbol}{number}" if symbol else f"{sign}{number} {code}"
