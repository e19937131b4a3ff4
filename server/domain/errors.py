"""Errors the domain raises; the API turns each into a status code and a JSON body."""

from __future__ import annotations

from typing import Any


class DomainError(Exception):
    """Base of every expected failure; ``detail`` is plain English for a person.

    ``extra`` adds fields to the JSON body beside ``detail`` and ``errors`` (a clash answers
    with the record as it now is, so the client need not read it again).
    """

    status_code = 400

    def __init__(
        self,
        detail: str,
        *,
        errors: dict[str, str] | None = None,
        extra: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(detail)
        self.detail = detail
        self.errors = errors or {}
        self.extra = extra or {}


class NotFound(DomainError):
    """The object does not exist or belongs to someone else (the two are indistinguishable)."""

    status_code = 404


class Unauthorized(DomainError):
    """No valid credentials."""

    status_code = 401


class Forbidden(DomainError):
    """Signed in, but the role lacks the permission."""

    status_code = 403


class Conflict(DomainError):
    """The request clashes with the current state (already active, already approved...)."""

    status_code = 409


class Gone(DomainError):
    """The cursor or link is too old to use."""

    status_code = 410


class PreconditionFailed(DomainError):
    """``If-Match`` named a version that is no longer current."""

    status_code = 412


class PreconditionRequired(DomainError):
    """A write to shared settings came without ``If-Match``."""

    status_code = 428


class Invalid(DomainError):
    """The input is well-formed but not acceptable; ``errors`` maps fields to messages."""

    status_code = 422


class TooLarge(DomainError):
    """An upload or request body over the limit."""

    status_code = 413


class UnsupportedMedia(DomainError):
    """A file whose content is not an accepted type."""

    status_code = 415


class TooManyRequests(DomainError):
    """Throttled; try again later."""

    status_code = 429
