"""Base classes for request and response bodies."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator
from pydantic_core import PydanticCustomError

from server.wire.local_time import time_zone_problem

# The largest id a row can have: PostgreSQL's BIGINT and SQLite's INTEGER both stop here, so a
# larger number names nothing (and would fail to bind in the database).
MAX_ID = 2**63 - 1

# An id sent in a body: a JSON integer in range, never a bool or a string ("contact_ids":
# [false] is not contact 0).
RowId = Annotated[int, Field(strict=True, ge=1, le=MAX_ID)]


def _checked_zone(name: str | None) -> str | None:
    if name is not None and (problem := time_zone_problem(name)):
        raise ValueError(problem)
    return name


# A person's IANA time zone in a request, checked like the workspace's (a contact's own zone).
TimeZoneName = Annotated[str | None, Field(max_length=64), AfterValidator(_checked_zone)]

# Characters no text field accepts: the C0 controls other than tab, line feed and carriage
# return, and DEL. PostgreSQL cannot store NUL at all; the rest are never typed by a person.
CONTROL_CHARACTERS = "".join(chr(c) for c in (*range(0, 9), 11, 12, *range(14, 32), 127))
NO_CONTROL_PATTERN = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f]*$"
_CONTROL_TABLE = {ord(c): None for c in CONTROL_CHARACTERS}


def has_control_characters(text: str) -> bool:
    """Whether ``text`` holds a character no text field accepts."""
    return len(text.translate(_CONTROL_TABLE)) != len(text)


def _first_control_path(value: Any, path: tuple[str, ...] = ()) -> tuple[str, ...] | None:
    if isinstance(value, str):
        return path if has_control_characters(value) else None
    items: Any = value.items() if isinstance(value, dict) else None
    if items is None and isinstance(value, list):
        items = enumerate(value)
    for key, item in items or ():
        found = _first_control_path(item, (*path, str(key)))
        if found is not None:
            return found
    return None


class Request(BaseModel):
    """A request body: unknown fields are refused (no mass assignment)."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    @model_validator(mode="before")
    @classmethod
    def _refuse_control_characters(cls, data: Any) -> Any:
        # Checked once on the raw body (nested models see their part again, cheaply) so a NUL
        # is a 422 naming the field, never a database error.
        found = _first_control_path(data)
        if found is not None:
            raise PydanticCustomError(
                "control_characters",
                "Text may not contain control characters.",
                {"field": ".".join(found)},
            )
        return data


class Response(BaseModel):
    """A response body; built from ORM objects or dicts."""

    model_config = ConfigDict(from_attributes=True)


class Page[T](Response):
    """One page of a cursor-paginated list."""

    data: list[T]
    count: int
    next_cursor: str | None = None


class ErrorBody(Response):
    """Every error answer: a plain-English ``detail`` and, for validation, per-field messages."""

    detail: str
    errors: dict[str, str] = {}
    request_id: str | None = None
