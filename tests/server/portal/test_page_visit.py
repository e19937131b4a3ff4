"""The plain-row session lookup of read-only pages (``page_visit``) admits only a customer's own
live session of that workspace, in an active portal; every other case is left to the full
lookup, which answers as every page does."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import Connection, select, update
from sqlalchemy.orm import Session

from server.db.base import utcnow
from server.db.models import (
    Contact,
    Customer,
    PortalAccount,
    PortalSession,
    StaffUser,
    Workspace,
)
from server.domain.portal_sessions import start_session
from server.domain.portal_visits import cookie_digest, find_visit
from server.domain.visit_cache import PageVisit, VisitCache, page_visit
from server.domain.visit_notes import VisitNotes
from tests.server.conftest import Server
from tests.server.portal.fixtures import PortalCustomer, make_customer
from tests.support.workspaces import TestWorkspace, make_workspace


def _sign_in(server: Server, account_id: int, **options: Any) -> str:
    """A fresh session of the account, as sign-in (or a staff preview) leaves it: the cookie."""
    with server.sessionmaker() as db:
        account = db.get(PortalAccount, account_id)
        assert account is not None
        token = start_session(db, account, ip=None, user_agent="test", **options).token
        db.commit()
    return token


def _write(server: Server, statement: Any) -> None:
    with server.sessionmaker() as db:
        db.execute(statement)
        db.commit()


@pytest.fixture
def conn(server: Server) -> Iterator[Connection]:
    """A read-only page's connection."""
    with server.app.state.read_sessionmaker() as db:
        yield db.connection()


def _lookup(conn: Connection, slug: str, token: str) -> PageVisit | None:
    return VisitCache(VisitNotes()).find(conn, slug, token)


def test_a_live_session_gives_its_own_rows(
    server: Server, ws: TestWorkspace, customer: PortalCustomer, conn: Connection
) -> None:
    token = _sign_in(server, customer.account_id)
    visit = _lookup(conn, ws.slug, token)
    assert visit is not None
    with server.sessionmaker() as db:
        full = find_visit(db, ws.slug, token, VisitNotes())
        assert full.session is not None and full.account is not None
        assert full.contact is not None and full.customer is not None
        assert visit.workspace.id == full.workspace.id == ws.id
        assert visit.workspace.slug == ws.slug and visit.workspace.name == full.workspace.name
        assert visit.workspace.branding == full.workspace.branding
        assert visit.workspace.visibility == full.workspace.visibility
        assert visit.session.id == full.session.id
        assert visit.session.csrf_token == full.session.csrf_token
        for name in ("created_at", "last_seen_at", "expires_at", "revoked_at"):
            assert getattr(visit.session, name) == getattr(full.session, name), name
        assert visit.session.expires_at.utcoffset() == timedelta(0)
        assert visit.account.status == full.account.status == "active"
        assert visit.account.password_changed_at == full.account.password_changed_at
        assert visit.account.id == customer.account_id
        assert visit.account.email_normalized == full.account.email_normalized
        assert (visit.contact.id, visit.contact.name) == (customer.contact_id, customer.name)
        assert visit.customer.id == customer.customer_id
        assert visit.customer.name == full.customer.name
        assert visit.changes_seq == full.changes_seq


ENDED: dict[str, Callable[[PortalCustomer], Any]] = {
    "revoked": lambda c: (
        update(PortalSession)
        .where(PortalSession.account_id == c.account_id)
        .values(revoked_at=utcnow())
    ),
    "expired": lambda c: (
        update(PortalSession)
        .where(PortalSession.account_id == c.account_id)
        .values(expires_at=utcnow() - timedelta(seconds=1))
    ),
    "idle": lambda c: (
        update(PortalSession)
        .where(PortalSession.account_id == c.account_id)
        .values(last_seen_at=utcnow() - timedelta(hours=2))
    ),
    "account disabled": lambda c: (
        update(PortalAccount).where(PortalAccount.id == c.account_id).values(status="disabled")
    ),
    "account back to invited": lambda c: (
        update(PortalAccount).where(PortalAccount.id == c.account_id).values(status="invited")
    ),
    "password changed": lambda c: (
        update(PortalAccount)
        .where(PortalAccount.id == c.account_id)
        .values(password_changed_at=utcnow() + timedelta(seconds=1))
    ),
}


@pytest.mark.parametrize("how", list(ENDED))
def test_a_session_that_no_longer_works_is_refused(
    how: str, server: Server, ws: TestWorkspace, customer: PortalCustomer, conn: Connection
) -> None:
    token = _sign_in(server, customer.account_id)
    assert page_visit(conn, ws.slug, _digest(token), VisitNotes()) is not None
    _write(server, ENDED[how](customer))
    assert page_visit(conn, ws.slug, _digest(token), VisitNotes()) is None, how
    assert _lookup(conn, ws.slug, token) is None, how


def test_a_session_ended_after_it_was_kept_is_refused(
    server: Server, ws: TestWorkspace, customer: PortalCustomer, conn: Connection
) -> None:
    cache = VisitCache(VisitNotes())
    token = _sign_in(server, customer.account_id)
    assert cache.find(conn, ws.slug, token) is not None
    assert cache.find(conn, ws.slug, token) is not None  # the kept rows, checked afresh
    _write(server, ENDED["revoked"](customer))
    assert cache.find(conn, ws.slug, token) is None
    assert len(cache) == 0


def test_another_workspaces_cookie_is_refused(
    server: Server, ws: TestWorkspace, customer: PortalCustomer, conn: Connection
) -> None:
    token = _sign_in(server, customer.account_id)
    other = make_workspace(server.sessionmaker, server.url)
    try:
        assert _lookup(conn, other.slug, token) is None
        # Nor is a session of the other workspace admitted on this one.
        theirs = make_customer(server.sessionmaker, other.id, other.slug, records=False)
        their_token = _sign_in(server, theirs.account_id)
        assert _lookup(conn, other.slug, their_token) is not None
        assert _lookup(conn, ws.slug, their_token) is None
    finally:
        other.close()


def test_unknown_and_malformed_cookies_are_refused(
    ws: TestWorkspace, customer: PortalCustomer, conn: Connection
) -> None:
    assert _lookup(conn, ws.slug, "not-a-session") is None
    assert _lookup(conn, ws.slug, "") is None
    assert _lookup(conn, ws.slug, "x" * 201) is None
    assert _lookup(conn, "no-such-portal", "not-a-session") is None


def test_a_closed_portal_is_left_to_the_full_lookup(
    server: Server, ws: TestWorkspace, customer: PortalCustomer, conn: Connection
) -> None:
    token = _sign_in(server, customer.account_id)
    _write(
        server, update(Workspace).where(Workspace.id == ws.id).values(portal_status="coming_soon")
    )
    assert _lookup(conn, ws.slug, token) is None


def test_a_staff_preview_is_left_to_the_full_lookup(
    server: Server, ws: TestWorkspace, customer: PortalCustomer, conn: Connection
) -> None:
    with server.sessionmaker() as db:
        owner = db.scalar(select(StaffUser.id).where(StaffUser.email == ws.emails["owner"]))
    assert owner is not None
    token = _sign_in(server, customer.account_id, preview_by_id=owner)
    assert _lookup(conn, ws.slug, token) is None
    with server.sessionmaker() as db:
        assert find_visit(db, ws.slug, token, VisitNotes()).session is not None


def test_a_session_whose_contact_moved_away_is_refused(
    server: Server, ws: TestWorkspace, customer: PortalCustomer, conn: Connection
) -> None:
    """The rows are joined through the account: a session never shows another account's."""
    token = _sign_in(server, customer.account_id)
    with server.sessionmaker() as db:
        _detach_account(db, customer)
    assert _lookup(conn, ws.slug, token) is None


def _detach_account(db: Session, customer: PortalCustomer) -> None:
    db.execute(
        update(PortalSession)
        .where(PortalSession.account_id == customer.account_id)
        .values(account_id=None)
    )
    db.commit()
    assert db.get(Contact, customer.contact_id) is not None
    assert db.get(Customer, customer.customer_id) is not None


def _digest(token: str) -> str:
    key = cookie_digest(token)
    assert key is not None
    return key
