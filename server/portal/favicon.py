"""The portal's favicon, made from the logo: centred in a transparent square, 64 pixels."""

from __future__ import annotations

import io
from functools import lru_cache

from PIL import Image

SIZE = 64


@lru_cache(maxsize=32)
def favicon_png(logo: bytes) -> bytes:
    """A square PNG of the logo (already a validated, re-encoded image) for browser tabs."""
    with Image.open(io.BytesIO(logo)) as opened:
        img = opened.convert("RGBA")
    img.thumbnail((SIZE, SIZE), Image.Resampling.LANCZOS)
    square = Image.new("RGBA", (SIZE, SIZE), (0, 0, 0, 0))
    square.paste(img, ((SIZE - img.width) // 2, (SIZE - img.height) // 2), img)
    out = io.BytesIO()
    square.save(out, "PNG", optimize=True)
    return out.getvalue()
