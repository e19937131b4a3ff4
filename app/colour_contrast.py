"""WCAG 2.1 contrast of the brand colours, and the nearest shade that passes AA.

The portal and its emails write text and buttons on each brand colour in white or near-black
(whichever reads better); this says whether that text reaches AA (4.5:1 for normal text) and,
when it does not, offers the closest colour that does.
"""

from __future__ import annotations

import colorsys
from dataclasses import dataclass

AA_TEXT = 4.5
WHITE = "#ffffff"
NEAR_BLACK = "#111111"  # the portal's dark text colour (server/portal/theme.py)


def _channels(colour: str) -> tuple[float, float, float]:
    value = colour.lstrip("#")
    return (int(value[0:2], 16) / 255, int(value[2:4], 16) / 255, int(value[4:6], 16) / 255)


def luminance(colour: str) -> float:
    """Relative luminance of ``#rrggbb`` (WCAG 2.1)."""
    lin = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in _channels(colour)]
    return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]


def ratio(a: str, b: str) -> float:
    """The contrast ratio of two colours, 1 to 21."""
    la, lb = sorted((luminance(a), luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def text_on(colour: str) -> str:
    """The text colour the portal puts on this background: white or near-black."""
    return WHITE if ratio(colour, WHITE) >= ratio(colour, NEAR_BLACK) else NEAR_BLACK


@dataclass(frozen=True)
class ContrastCheck:
    """How text reads on a brand colour, and on white when the colour is used for links."""

    colour: str
    text_colour: str
    on_colour: float
    as_text_on_white: float
    checks_links: bool

    @property
    def passes(self) -> bool:
        """Text and buttons on the colour reach WCAG 2.1 AA for normal text (4.5:1).

        Links are not counted: the portal darkens a light brand colour for links by itself.
        """
        return self.on_colour >= AA_TEXT

    def summary(self) -> str:
        """One plain line for the panel."""
        words = "White" if self.text_colour == WHITE else "Dark"
        verdict = "passes WCAG AA" if self.passes else "below WCAG AA (needs 4.5:1)"
        line = f"{words} text and buttons on it: {_shown(self.on_colour)} — {verdict}."
        if self.checks_links and self.as_text_on_white < AA_TEXT:
            line += " Links on white pages use a darker shade of it automatically."
        return line


def _shown(value: float) -> str:
    # Never round a failing ratio up to the threshold (4.48 must not read as 4.5).
    return f"{int(value * 100) / 100:.2f}:1"


def check(colour: str, *, links: bool = False) -> ContrastCheck:
    """Check one brand colour; ``links`` when the portal also writes links in it."""
    colour = colour.lower()
    fg = text_on(colour)
    return ContrastCheck(colour, fg, ratio(colour, fg), ratio(colour, WHITE), links)


def _hex(r: float, g: float, b: float) -> str:
    return "#" + "".join(f"{round(max(0.0, min(1.0, c)) * 255):02x}" for c in (r, g, b))


def nearest_passing(colour: str, *, links: bool = False) -> str:
    """The colour with the same hue and saturation, lightness moved as little as possible,
    that passes; the colour itself when it already does."""
    if check(colour, links=links).passes:
        return colour.lower()
    h, lightness, s = colorsys.rgb_to_hls(*_channels(colour))
    for step in range(1, 101):
        for sign in (-1, 1):
            shade = lightness + sign * step / 200
            if 0.0 <= shade <= 1.0:
                candidate = _hex(*colorsys.hls_to_rgb(h, shade, s))
                if check(candidate, links=links).passes:
                    return candidate
    return "#000000"
