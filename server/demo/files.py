"""A handful of small generated files (PDF documents, PNG and JPEG photos) the demo reuses.

Thousands of documents and photos point at the same few stored files: the rows are what the
demo needs to show, and a 100,000-customer database stays small.
"""

from __future__ import annotations

import hashlib
import io
import random
from dataclasses import dataclass

from PIL import Image, ImageDraw


@dataclass(frozen=True)
class DemoFile:
    """Bytes ready for ``stored_file``; ``kind`` is ``document`` or ``photo``."""

    kind: str
    content_type: str
    data: bytes
    width: int | None = None
    height: int | None = None

    @property
    def sha256(self) -> str:
        """Hex digest of the bytes."""
        return hashlib.sha256(self.data).hexdigest()


def _pdf_text(value: str) -> str:
    return value.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")


def tiny_pdf(title: str, lines: list[str]) -> bytes:
    """A valid one-page PDF (Helvetica text) with a correct cross-reference table."""
    text = ["BT /F1 18 Tf 72 720 Td (" + _pdf_text(title) + ") Tj ET"]
    for i, line in enumerate(lines):
        text.append(f"BT /F1 11 Tf 72 {690 - 16 * i} Td ({_pdf_text(line)}) Tj ET")
    stream = "\n".join(text).encode("latin-1")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] "
        b"/Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        b"<< /Length " + str(len(stream)).encode() + b" >>\nstream\n" + stream + b"\nendstream",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    for offset in offsets:
        out += f"{offset:010d} 00000 n \n".encode()
    out += (
        f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    )
    return bytes(out)


def _photo(rng: random.Random, fmt: str, caption: str) -> DemoFile:
    """A 320x240 picture: a wall, a pipe run and a fitting, in plausible colours."""
    width, height = 320, 240
    wall = (rng.randint(170, 230), rng.randint(160, 220), rng.randint(140, 200))
    img = Image.new("RGB", (width, height), wall)
    draw = ImageDraw.Draw(img)
    for y in range(0, height, 24):  # tiles or boards
        draw.line([(0, y), (width, y)], fill=tuple(c - 25 for c in wall), width=1)
    pipe = rng.choice([(184, 115, 51), (200, 200, 205), (235, 235, 235)])
    y = rng.randint(60, 180)
    draw.rectangle([0, y, width, y + 14], fill=pipe, outline=(60, 60, 60))
    x = rng.randint(60, 260)
    draw.rectangle([x, 0, x + 14, y], fill=pipe, outline=(60, 60, 60))
    draw.ellipse([x - 14, y - 14, x + 28, y + 28], fill=(90, 90, 95), outline=(30, 30, 30))
    draw.rectangle([8, height - 26, width - 8, height - 8], fill=(255, 255, 255))
    draw.text((14, height - 23), caption, fill=(20, 20, 20))
    out = io.BytesIO()
    if fmt == "JPEG":
        img.save(out, "JPEG", quality=80)
        return DemoFile("photo", "image/jpeg", out.getvalue(), width, height)
    img.save(out, "PNG", optimize=True)
    return DemoFile("photo", "image/png", out.getvalue(), width, height)


def demo_files(rng: random.Random, business: str) -> list[DemoFile]:
    """Four PDF documents and six photos (PNG and JPEG)."""
    files = [
        DemoFile(
            "document",
            "application/pdf",
            tiny_pdf(
                f"{business}: {title}",
                [
                    "This document was generated for the demo workspace.",
                    f"Reference {rng.randint(10000, 99999)}",
                    "Keep it with your home records.",
                ],
            ),
        )
        for title in ("Gas safety certificate", "Boiler warranty", "Service report", "Quote")
    ]
    captions = ("Before", "After", "Data plate", "Leak", "Finished", "Crawlspace")
    files += [_photo(rng, "JPEG" if i % 2 else "PNG", c) for i, c in enumerate(captions)]
    return files
