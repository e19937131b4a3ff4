"""Brand colours as CSS: text colours chosen so every pairing keeps WCAG AA contrast."""

from __future__ import annotations

import hashlib
import re

_HEX = re.compile(r"^[0-9a-f]{6}$")
AA = 4.5


def _luminance(hex6: str) -> float:
    channels = [int(hex6[i : i + 2], 16) / 255 for i in (0, 2, 4)]
    lin = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]


def contrast(a: str, b: str) -> float:
    """The WCAG contrast ratio of two colours given as six hex digits."""
    la, lb = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def _darken(hex6: str, step: float = 0.9) -> str:
    return "".join(f"{int(int(hex6[i : i + 2], 16) * step):02x}" for i in (0, 2, 4))


def readable_on_white(hex6: str) -> str:
    """The colour itself when it reads on white, else the nearest darker shade that does."""
    colour = hex6
    while contrast(colour, "ffffff") < AA:
        colour = _darken(colour)
    return colour


def text_on(hex6: str) -> str:
    """Black or white, whichever reads better on this background."""
    return "ffffff" if contrast(hex6, "ffffff") >= contrast(hex6, "111111") else "111111"


def theme_css(primary: str, accent: str) -> str | None:
    """The brand stylesheet for two colours, or None if they are not six hex digits."""
    primary, accent = primary.lower(), accent.lower()
    if not (_HEX.match(primary) and _HEX.match(accent)):
        return None
    return (
        ":root {\n"
        f"  --brand: #{primary};\n"
        f"  --on-brand: #{text_on(primary)};\n"
        f"  --brand-text: #{readable_on_white(primary)};\n"
        f"  --accent: #{accent};\n"
        f"  --on-accent: #{text_on(accent)};\n"
        "}\n"
    )


def _theme_version() -> str:
    # Sample palettes written out: a release that writes colours differently gets new
    # stylesheet addresses. (Reading this module's source would fail in a frozen bundle.)
    samples = ("1f5f99", "f2a03d"), ("ffffff", "000000"), ("ffd400", "7a1fa2")
    written = "\n".join(theme_css(a, b) or "" for a, b in samples)
    return hashlib.sha256(written.encode()).hexdigest()[:10]


# The stylesheet's address carries this, so year-long caching never keeps an old stylesheet.
THEME_VERSION = _theme_version()
