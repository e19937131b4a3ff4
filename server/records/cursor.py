"""Cursors of the feeds: a change sequence number, sent as a string."""

from __future__ import annotations

from server.domain.errors import Invalid
from server.domain.ids import parse_row_number


def parse_cursor(value: str, field: str = "since") -> int:
    """The sequence number in a cursor; 422 in plain English when it is not one."""
    number = parse_row_number(value.strip())
    if number is None:
        msg = "The cursor must be a value returned as next_cursor, or 0 to start over."
        raise Invalid(msg, errors={field: msg})
    return number
