"""CSV in and out for rollout work: reading pasted or imported email lists, writing results."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Sequence
from pathlib import Path

_EMAIL = re.compile(r"[^\s,;<>\"']+@[^\s,;<>\"']+\.[^\s,;<>\"']+")


def emails_in(text: str) -> list[str]:
    """Every email address in pasted text or a CSV file, lower-cased, first occurrence kept.

    Works for one address per line, comma or semicolon separated lists, CSV with any columns,
    and "Name <address>" forms.
    """
    found = (m.group(0).strip(".").lower() for m in _EMAIL.finditer(text))
    return list(dict.fromkeys(found))


def read_emails(path: Path) -> list[str]:
    """The email addresses in a CSV or text file (UTF-8, with or without a BOM)."""
    return emails_in(path.read_text(encoding="utf-8-sig", errors="replace"))


def to_csv(rows: Iterable[Sequence[str]]) -> str:
    """Rows as CSV text; cells that a spreadsheet would run as a formula are neutralised."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    for row in rows:
        writer.writerow([_safe(cell) for cell in row])
    return out.getvalue()


def write_csv(path: Path, rows: Iterable[Sequence[str]]) -> None:
    """Write rows to a CSV file spreadsheets open correctly (UTF-8 with a BOM)."""
    path.write_text(to_csv(rows), encoding="utf-8-sig", newline="")


def _safe(cell: str) -> str:
    # A name like "=HYPERLINK(...)" from the CRM must not run when the file is opened.
    return "'" + cell if cell[:1] in ("=", "+", "-", "@", "\t", "\r") else cell
