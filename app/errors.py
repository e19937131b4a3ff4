"""Errors the console core raises: each carries a plain-English message a person can act on."""

from __future__ import annotations

from typing import Any


class ApiError(Exception):
    """The server answered with an error, or could not be reached.

    ``message`` is plain English (the server's ``detail`` when it sent one), ``status`` the HTTP
    status (None when no answer came), ``errors`` per-field messages for a form.
    """

    def __init__(
        self, message: str, status: int | None = None, errors: dict[str, str] | None = None
    ) -> None:
        super().__init__(message)
        self.message = message
        self.status = status
        self.errors: dict[str, str] = dict(errors or {})
        # The decoded JSON answer, for errors that carry more (a 412's current version).
        self.body: dict[str, Any] = {}

    @property
    def forbidden(self) -> bool:
        """The signed-in person lacks the permission for this."""
        return self.status == 403


class OfflineError(ApiError):
    """No answer from the server: network down, server stopped, or a timeout."""


class AuthExpired(ApiError):
    """The token was refused (expired, revoked or unknown): sign in again."""

    server_detail: str | None = None


class CursorExpired(ApiError):
    """The sync cursor is older than the server keeps changes (410): resync from scratch."""


class SyncFailed(ApiError):
    """A page of changes could not be decoded or written into the local copy."""

    @classmethod
    def from_write(cls, exc: BaseException) -> SyncFailed:
        """The plain-English failure for an exception raised while writing a page."""
        reason = str(exc) or type(exc).__name__
        if "locked" in reason:
            what = "the local copy was busy (database is locked)"
        elif isinstance(exc, ValueError) or "JSON" in reason or "decode" in reason.lower():
            what = "a page from the server could not be read"
        else:
            what = f"the local copy could not be updated ({reason})"
        return cls(
            f"Sync stopped: {what}. The console tries again from where it last stopped.",
            None,
        )
