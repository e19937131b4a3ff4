"""Dependencies shared by every route (staff API, records, portal): the database session,
settings, the public base URL, and the signed-in staff member with their permissions."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any

import anyio
from fastapi import Depends, Header, Path, Query, Request
from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from server.db.base import utcnow
from server.db.compiled import CompiledSelect
from server.db.models import StaffToken, StaffUser, Workspace
from server.domain.audit import Actor
from server.domain.errors import Forbidden, Unauthorized
from server.domain.permissions import Permission, permissions_for
from server.domain.secrets import digest
from server.settings import Settings
from server.wire.base import MAX_ID, NO_CONTROL_PATTERN

READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


async def get_db(request: Request) -> AsyncIterator[Session]:
    """One session per request; routes commit what they change. GET requests get a read-only
    session (no state change on GET; on SQLite reads then never wait for the write lock).

    Async so that opening costs no trip to the threadpool (a new session does not touch the
    database yet). Closing a writing session may talk to the database, so it runs there,
    shielded from cancellation so that the connection always goes back to the pool. Closing
    a read-only one does not (nothing to roll back on PostgreSQL, where it is autocommit; a
    local read lock to drop on SQLite), so it stays on the loop: one hand-off fewer per GET.
    """
    read = request.method in READ_METHODS
    factory = request.app.state.read_sessionmaker if read else request.app.state.sessionmaker
    session: Session = factory()
    try:
        yield session
    finally:
        if read:
            session.close()
        else:
            with anyio.CancelScope(shield=True):
                await run_in_threadpool(session.close)


def get_settings(request: Request) -> Settings:
    """The server's settings."""
    settings: Settings = request.app.state.settings
    return settings


def public_base_url(request: Request) -> str:
    """Where customers reach this server (no trailing slash): the configured public address,
    else the address the request came in on. Links that leave the browser are built on it."""
    configured: str | None = request.app.state.settings.public_base_url
    return (configured or str(request.base_url)).rstrip("/")


DB = Annotated[Session, Depends(get_db)]
AppSettings = Annotated[Settings, Depends(get_settings)]
PublicBaseUrl = Annotated[str, Depends(public_base_url)]

# An id in a path: a number no row can have (0, or past 2**63 - 1) is refused before any query.
RowIdPath = Annotated[int, Path(ge=1, le=MAX_ID, description="The row's id.")]


def text_query(max_length: int, description: str | None = None) -> Any:
    """A free-text query parameter: bounded, and without control characters (422)."""
    return Query(max_length=max_length, pattern=NO_CONTROL_PATTERN, description=description)


CursorQuery = Annotated[
    str | None, text_query(1000, "The next_cursor of the previous page; absent for the first.")
]


@dataclass(frozen=True)
class StaffContext:
    """The signed-in staff member, the workspace they act in, and what they may do."""

    user: StaffUser
    workspace: Workspace
    permissions: frozenset[Permission]
    token_id: int
    expires_at: datetime
    ip: str | None

    @property
    def workspace_id(self) -> int:
        """Shorthand for the workspace id every query is scoped by."""
        return self.workspace.id

    @property
    def actor(self) -> Actor:
        """This staff member as the actor of audit events."""
        return Actor("staff", self.user.id, self.user.name, self.ip)


@dataclass(frozen=True)
class StaffSignIn:
    """A working staff sign-in as plain values: who, in which workspace, what they may do.

    Enough for routes that act on records and need none of the workspace's settings (the
    CRM's records API). It is read with one statement compiled once, where ``current_staff``
    loads three rows as objects: on a CRM write that was a tenth of the server's time.
    """

    workspace_id: int
    user_id: int
    user_name: str
    role: str
    permissions: frozenset[Permission]
    token_id: int
    expires_at: datetime
    ip: str | None


# One indexed look-up (unique digest, then two primary keys), built once for every request.
_TOKEN_LOOKUP = (
    select(StaffToken, StaffUser, Workspace)
    .join(StaffUser, StaffUser.id == StaffToken.staff_id)
    .join(Workspace, Workspace.id == StaffUser.workspace_id)
    .where(StaffToken.digest == bindparam("digest"))
)

# The same look-up for ``StaffSignIn``: only the columns it holds and the checks read.
_SIGN_IN_LOOKUP = CompiledSelect(
    select(
        StaffToken.id,
        StaffToken.revoked_at,
        StaffToken.expires_at,
        StaffUser.id,
        StaffUser.name,
        StaffUser.role,
        StaffUser.is_active,
        Workspace.id,
        Workspace.permissions,
    )
    .join(StaffUser, StaffUser.id == StaffToken.staff_id)
    .join(Workspace, Workspace.id == StaffUser.workspace_id)
    .where(StaffToken.digest == bindparam("digest"))
    .execution_options(prepared=True)
)


def _bearer_token(authorization: str | None) -> str:
    """The token of an ``Authorization: Bearer`` header; 401 with a reason when there is none."""
    if not authorization:
        raise Unauthorized("Sign in first: this needs a staff bearer token.")
    scheme, _, token = authorization.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthorized("The Authorization header must be 'Bearer <token>'.")
    return token.strip()


def _refuse_unusable(revoked_at: datetime | None, expires_at: datetime, is_active: bool) -> None:
    """401 with a reason for a known token that no longer signs anyone in."""
    if revoked_at is not None:
        raise Unauthorized("This sign-in was ended. Sign in again.")
    if expires_at <= utcnow():
        raise Unauthorized("This sign-in has expired. Sign in again.")
    if not is_active:
        raise Unauthorized("This staff account is disabled.")


def _unknown() -> Unauthorized:
    return Unauthorized("This sign-in is not valid. Sign in again.")


def _ip(request: Request) -> str | None:
    return request.client.host if request.client else None


def current_staff(
    request: Request,
    db: DB,
    authorization: Annotated[str | None, Header(include_in_schema=False)] = None,
) -> StaffContext:
    """Resolve the bearer token; 401 with a reason when it is missing, unknown or expired."""
    token = _bearer_token(authorization)
    row = db.execute(_TOKEN_LOOKUP, {"digest": digest(token)}).one_or_none()
    if row is None:
        raise _unknown()
    tok, user, workspace = row
    _refuse_unusable(tok.revoked_at, tok.expires_at, user.is_active)
    perms = permissions_for(user.role, workspace.permissions)
    return StaffContext(user, workspace, perms, tok.id, tok.expires_at, _ip(request))


def current_sign_in(
    request: Request,
    db: DB,
    authorization: Annotated[str | None, Header(include_in_schema=False)] = None,
) -> StaffSignIn:
    """``current_staff`` as plain values, with the same checks and answers; as fresh, since
    every request reads the token's row again."""
    token = _bearer_token(authorization)
    row = _SIGN_IN_LOOKUP.one_or_none(db.connection(), {"digest": digest(token)})
    if row is None:
        raise _unknown()
    token_id, revoked_at, expires_at, user_id, name, role, is_active, ws_id, overrides = row
    _refuse_unusable(revoked_at, expires_at, is_active)
    perms = permissions_for(role, overrides)
    return StaffSignIn(ws_id, user_id, name, role, perms, token_id, expires_at, _ip(request))


Staff = Annotated[StaffContext, Depends(current_staff)]
SignIn = Annotated[StaffSignIn, Depends(current_sign_in)]


class _Need:
    """A dependency that checks one permission; ``permission`` is read by the route audit test."""

    def __init__(self, permission: Permission) -> None:
        self.permission = permission

    def _check(self, role: str, permissions: frozenset[Permission]) -> None:
        if self.permission not in permissions:
            label = self.permission.value.replace("_", " ")
            raise Forbidden(
                f"Your role ({role}) does not have the '{label}' permission. "
                "Ask the workspace owner."
            )


class _NeedStaff(_Need):
    """``_Need`` of a ``StaffContext``."""

    async def __call__(self, staff: Staff) -> StaffContext:
        # Async: a set look-up needs no worker thread (each trip there costs a hand-off).
        self._check(staff.user.role, staff.permissions)
        return staff


class _NeedSignIn(_Need):
    """``_Need`` of a ``StaffSignIn``."""

    async def __call__(self, staff: SignIn) -> StaffSignIn:
        self._check(staff.role, staff.permissions)
        return staff


def need(permission: Permission) -> Any:
    """``staff: Annotated[StaffContext, need(Permission.INVITE)]`` in a route's signature."""
    return Depends(_NeedStaff(permission))


def need_sign_in(permission: Permission) -> Any:
    """``staff: Annotated[StaffSignIn, need_sign_in(Permission.RECORDS)]``: ``need`` for a
    route that takes the sign-in as plain values."""
    return Depends(_NeedSignIn(permission))
