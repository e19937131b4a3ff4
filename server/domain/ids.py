"""Numbers read from text a client sent back (cursors): plain digits, in a row id's range."""

from __future__ import annotations

from server.wire.base import MAX_ID


def parse_row_number(text: str) -> int | None:
    """The number ``text`` spells in ASCII digits, if it fits a row id (0 allowed), else None.

    ``str.isdigit`` alone accepts "²" and digits of other scripts, which ``int`` then refuses
    or reads; and 19 digits can still exceed what the database stores.
    """
    if not (0 < len(text) <= 19 and text.isascii() and text.isdigit()):
        return None
    value = int(text)
    return value if value <= MAX_ID else None
