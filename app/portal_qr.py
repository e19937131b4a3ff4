"""The portal address as a QR code, saved as PNG or SVG for invoices and vans."""

from __future__ import annotations

import io
from pathlib import Path

import segno


def qr_bytes(url: str, kind: str, *, scale: int = 12, dark: str = "#000000") -> bytes:
    """The QR code of ``url`` as ``png`` or ``svg`` bytes (error correction M: survives a
    scuffed van door; a quiet zone of four modules as the standard asks)."""
    code = segno.make(url, error="m", micro=False)
    out = io.BytesIO()
    code.save(out, kind=kind, scale=scale, dark=dark, light="#ffffff", border=4)
    return out.getvalue()


def save_qr(url: str, path: Path) -> Path:
    """Write the QR code to ``path``; the suffix (.png or .svg, else .png is added) decides."""
    kind = path.suffix.lower().lstrip(".")
    if kind not in ("png", "svg"):
        path = path.with_suffix(".png")
        kind = "png"
    path.write_bytes(qr_bytes(url, kind))
    return path
