"""Answers that carry a stored file, with headers that keep browsers from misreading it."""

from __future__ import annotations

import re
import unicodedata
from urllib.parse import quote

from fastapi import Response

from server.db.models import StoredFile

EXTENSIONS = {
    "image/png": ".png",
    "image/jpeg": ".jpg",
    "image/webp": ".webp",
    "application/pdf": ".pdf",
}


def content_disposition(filename: str, *, inline: bool = False) -> str:
    """A ``Content-Disposition`` value per RFC 6266: an ASCII fallback and a UTF-8 name.

    The fallback drops accents and replaces anything that could break out of the quoted
    string (quotes, backslashes, control characters, path separators) with ``_``.
    """
    name = filename.replace("/", "_").replace("\\", "_").strip() or "file"
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii")
    ascii_name = re.sub(r"[^A-Za-z0-9 ._()+,-]", "_", ascii_name).strip() or "file"
    kind = "inline" if inline else "attachment"
    return f"{kind}; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(name, safe='')}"


def with_extension(name: str, content_type: str) -> str:
    """The name with the extension that matches the stored content, whatever was uploaded."""
    ext = EXTENSIONS.get(content_type, "")
    stem = name.rsplit(".", 1)[0] if "." in name.strip(".") else name
    return f"{stem}{ext}" if ext else name


def file_response(stored: StoredFile, filename: str, *, inline: bool = False) -> Response:
    """The bytes of a stored file as a download (or inline for images staff look at)."""
    return Response(
        content=stored.data,
        media_type=stored.content_type,
        headers={
            "Content-Disposition": content_disposition(
                with_extension(filename, stored.content_type), inline=inline
            ),
            "X-Content-Type-Options": "nosniff",
            "Cache-Control": "private, no-store",
            # Even if a browser renders it, nothing in it may run or load anything.
            "Content-Security-Policy": "default-src 'none'; img-src 'self'; sandbox",
        },
    )
