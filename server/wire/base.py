"""Base classes for request and response bodies."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class Request(BaseModel):
    """A request body: unknown fields are refused (no mass assignment)."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


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
