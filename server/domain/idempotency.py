"""Idempotency keys: a retried POST gets the first answer instead of doing the work twice.

The key is reserved (status 0, "in flight") in its own committed transaction before the
request runs, so a concurrent duplicate on any worker sees it and gets 409. A 2xx answer is
stored against the key; anything else releases the key, so a failed request can be retried
with it. Keys are kept for ``KEEP``; an in-flight reservation left behind by a crashed worker
is taken over after ``STALE``.

A key belongs to one staff member (stored as ``"<staff id>:<key>"`` in the workspace), so
another member sending the same key runs their own request, and a replay is only ever the
answer to the member who asked first. The middleware checks the route's permission before a
replay: a stored answer is never handed to a role that would be refused the request.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from server.db.base import utcnow
from server.db.models import IdempotencyKey, StaffToken, StaffUser, Workspace
from server.domain.errors import Conflict, Invalid
from server.domain.permissions import Permission, permissions_for
from server.domain.secrets import digest

IN_FLIGHT = 0
KEEP = timedelta(hours=24)
STALE = timedelta(minutes=2)
MAX_KEY = 200
REUSED = (
    "This Idempotency-Key was already used for a different request. "
    "Use a new key for a new request."
)
BUSY = (
    "A request with this Idempotency-Key is still being processed. "
    "Wait for it to finish, then retry."
)


@dataclass(frozen=True)
class StoredAnswer:
    """The first answer to a key: status, a few headers and the body text."""

    status: int
    headers: list[tuple[str, str]]
    body: str


def key_problem(key: str) -> str | None:
    """Why an Idempotency-Key header value cannot be used, or None."""
    if not 0 < len(key) <= MAX_KEY or not key.isprintable() or not key.isascii():
        return f"The Idempotency-Key header must be 1 to {MAX_KEY} visible ASCII characters."
    return None


def fingerprint(method: str, path: str, query: str, body: bytes) -> str:
    """SHA-256 of what makes two requests the same request."""
    h = hashlib.sha256()
    for part in (method.encode(), path.encode(), query.encode()):
        h.update(part + b"\n")
    h.update(body)
    return h.hexdigest()


@dataclass(frozen=True)
class KeyOwner:
    """The staff member behind a bearer token, and what their role may do."""

    workspace_id: int
    staff_id: int
    role: str
    permissions: frozenset[Permission]

    def scoped(self, key: str) -> str:
        """The key as stored: this staff member's own (long keys by their digest)."""
        scoped = f"{self.staff_id}:{key}"
        if len(scoped) > MAX_KEY:
            scoped = f"{self.staff_id}:#{hashlib.sha256(key.encode()).hexdigest()}"
        return scoped


def owner_of_token(session: Session, token: str, now: datetime) -> KeyOwner | None:
    """The owner of a valid staff bearer token, or None (the route will answer 401)."""
    row = session.execute(
        select(StaffUser.workspace_id, StaffUser.id, StaffUser.role, Workspace.permissions)
        .join(StaffToken, StaffToken.staff_id == StaffUser.id)
        .join(Workspace, Workspace.id == StaffUser.workspace_id)
        .where(
            StaffToken.digest == digest(token),
            StaffToken.revoked_at.is_(None),
            StaffToken.expires_at > now,
            StaffUser.is_active.is_(True),
        )
    ).first()
    if row is None:
        return None
    workspace_id, staff_id, role, overrides = row
    return KeyOwner(int(workspace_id), int(staff_id), role, permissions_for(role, overrides))


def _answer(row: IdempotencyKey) -> StoredAnswer:
    doc: dict[str, Any] = row.response_body
    headers = [(str(k), str(v)) for k, v in doc.get("headers", [])]
    return StoredAnswer(row.status_code, headers, str(doc.get("body", "")))


def reserve(
    factory: sessionmaker[Session], workspace_id: int, key: str, request_hash: str
) -> StoredAnswer | None:
    """Reserve the key for this request (None), or return the stored answer to replay.

    Raises ``Invalid`` (422) when the key was used for another request and ``Conflict``
    (409) while the first request with the key is still running.
    """
    now = utcnow()
    with factory() as session:
        row = session.scalar(
            select(IdempotencyKey)
            .where(IdempotencyKey.workspace_id == workspace_id, IdempotencyKey.key == key)
            .with_for_update()
        )
        if row is not None:
            expired = row.created_at < now - KEEP
            abandoned = row.status_code == IN_FLIGHT and row.created_at < now - STALE
            if not (expired or abandoned):
                if row.request_hash != request_hash:
                    raise Invalid(REUSED, errors={"Idempotency-Key": REUSED})
                if row.status_code == IN_FLIGHT:
                    raise Conflict(BUSY)
                return _answer(row)
            session.delete(row)
            session.flush()
        session.add(
            IdempotencyKey(
                workspace_id=workspace_id,
                key=key,
                request_hash=request_hash,
                status_code=IN_FLIGHT,
                response_body={},
                created_at=now,
            )
        )
        try:
            session.commit()
        except IntegrityError:
            # Another worker reserved it between our read and insert.
            session.rollback()
            raise Conflict(BUSY) from None
    return None


# Answers can carry a secret that is shown once (an invite link holds its token). Only digests
# of such tokens may be stored, so the stored copy drops them: a replay answers null there.
SECRET_FIELDS = frozenset({"invite_url", "access_token", "reset_url"})


def _without_secrets(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: None if k in SECRET_FIELDS else _without_secrets(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_without_secrets(v) for v in value]
    return value


def redact(body: str) -> str:
    """The body as it may be stored: JSON with every secret field set to null."""
    if not any(f'"{name}"' in body for name in SECRET_FIELDS):
        return body  # stored byte for byte, so a replay is the very first answer
    try:
        doc = json.loads(body)
    except ValueError:
        return body
    return json.dumps(_without_secrets(doc))


def complete(
    factory: sessionmaker[Session], workspace_id: int, key: str, answer: StoredAnswer
) -> None:
    """Store the first (successful) answer against the reserved key, secrets removed."""
    doc = {"headers": [list(h) for h in answer.headers], "body": redact(answer.body)}
    with factory() as session:
        session.execute(
            update(IdempotencyKey)
            .where(IdempotencyKey.workspace_id == workspace_id, IdempotencyKey.key == key)
            .values(status_code=answer.status, response_body=doc)
        )
        session.commit()


def release(factory: sessionmaker[Session], workspace_id: int, key: str) -> None:
    """Forget a reservation whose request failed, so the key can be used to retry."""
    with factory() as session:
        session.execute(
            delete(IdempotencyKey).where(
                IdempotencyKey.workspace_id == workspace_id,
                IdempotencyKey.key == key,
                IdempotencyKey.status_code == IN_FLIGHT,
            )
        )
        session.commit()


def prune_idempotency_keys(session: Session, older_than: datetime) -> int:
    """Delete keys created before ``older_than``; returns how many."""
    result = session.execute(delete(IdempotencyKey).where(IdempotencyKey.created_at < older_than))
    return int(getattr(result, "rowcount", 0) or 0)
