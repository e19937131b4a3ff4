"""Cursors of the feeds: a change sequence number, sent as a string."""

from __future__ import annotations

from server.domain.errors import Invalid


def parse_cursor(value: str, field: str = "since") -> int:
    """The sequence number in a cursor; 422 in plain English when it is not one."""
    text = value.strip()
    if not text.isdigit() or len(text) > 19:
        msg = "The cursor must be a value returned as next_cursor, or 0 to start over."
        raise Invalid(msg, errors={field: msg})
    return int(text)
