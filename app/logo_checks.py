"""What the panel checks about a logo before it is uploaded, and the warnings it shows.

The portal shows the logo at most 48 px high and 160 px wide on a white plate in the page
header, and emails do the same on their header. A logo is rasterised for screens of up to
three times that density.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

from PIL import Image, UnidentifiedImageError

from app.colour_contrast import ratio

SHOWN_HEIGHT = 48  # CSS pixels in the portal header (server/static/portal.css .brand .logo)
SHOWN_WIDTH = 160
DENSITY = 3  # rasterise SVG for screens of up to 3x
RASTER_HEIGHT = SHOWN_HEIGHT * DENSITY
RASTER_MAX_WIDTH = SHOWN_WIDTH * DENSITY * 2
MAX_BYTES = 10 * 1024 * 1024  # the server's default upload limit
MIN_SIDE = 48
PLATE = "#ffffff"  # the portal's and emails' header set the logo on white
ACCEPTED = {"PNG": "image/png", "JPEG": "image/jpeg", "WEBP": "image/webp"}


class LogoRefused(ValueError):
    """A file that cannot be a logo; the message says why in plain English."""


@dataclass(frozen=True)
class LogoFacts:
    """Size, format and ink colour of a raster logo."""

    width: int
    height: int
    content_type: str
    transparent_share: float  # 0..1 of pixels that are mostly see-through
    ink: str | None  # average colour of the opaque pixels, ``#rrggbb``


def inspect(data: bytes) -> LogoFacts:
    """Facts about a PNG, JPEG or WebP; ``LogoRefused`` for anything else or too large."""
    if len(data) > MAX_BYTES:
        raise LogoRefused(
            f"The file is {len(data) / 1024 / 1024:.1f} MB; a logo must be under 10 MB."
        )
    try:
        with Image.open(io.BytesIO(data)) as img:
            fmt = img.format or ""
            if fmt not in ACCEPTED:
                raise LogoRefused("That file is not a PNG, JPEG, WebP or SVG image.")
            width, height = img.size
            if width * height > 40_000_000:
                raise LogoRefused(f"The image is {width}x{height} pixels; that is too large.")
            small = img.convert("RGBA")
            small.thumbnail((64, 64))
    except (UnidentifiedImageError, OSError, SyntaxError) as exc:
        raise LogoRefused("That file is not a PNG, JPEG, WebP or SVG image.") from exc
    raw = small.tobytes()  # RGBA, four bytes a pixel
    pixels = [tuple(raw[i : i + 4]) for i in range(0, len(raw), 4)]
    opaque = [p for p in pixels if p[3] >= 128]
    clear = 1 - len(opaque) / max(1, len(pixels))
    ink = None
    if opaque:
        r, g, b = (sum(p[i] for p in opaque) // len(opaque) for i in range(3))
        ink = f"#{r:02x}{g:02x}{b:02x}"
    return LogoFacts(width, height, ACCEPTED[fmt], clear, ink)


def warnings(facts: LogoFacts, plate: str = PLATE) -> list[str]:
    """Plain warnings about how the logo will look (it can still be uploaded)."""
    out = []
    if facts.height < MIN_SIDE or facts.width < MIN_SIDE:
        out.append(
            f"The logo is only {facts.width}x{facts.height} pixels and will look blurry. "
            f"Use one at least {RASTER_HEIGHT} pixels high, or an SVG."
        )
    shown_height = min(SHOWN_HEIGHT, SHOWN_WIDTH * facts.height / max(1, facts.width))
    if shown_height < SHOWN_HEIGHT / 2:
        out.append(
            f"The logo is very wide: in the portal header it will be only {shown_height:.0f} "
            "pixels high. A stacked or shorter version reads better."
        )
    if facts.transparent_share > 0.05 and facts.ink is not None:
        on_plate = ratio(facts.ink, plate)
        if on_plate < 3:
            out.append(
                "The logo has a transparent background and its light colours barely stand out "
                f"({on_plate:.1f}:1) on the white plate it sits on in the portal's and emails' "
                "header. Use the version of your logo made for white paper."
            )
    return out
