"""Reused session rows never keep a session working or a page stale: every way a session ends
applies on the very next page, even when written without recording a change."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import Connection, select, update
from sqlalchemy.orm import Session

from server.db.base import utcnow
from server.db.models import PortalAccount, PortalSession, Workspace
from server.domain import portal_sessions
from server.domain import visit_cache as visits
from server.domain.visit_cache import VisitCache
from server.domain.visit_notes import FLUSH_SECONDS, VisitNotes
from tests.server.conftest import Server
from tests.server.portal.fixtures import Browser, PortalCustomer, make_customer
from tests.support.workspaces import TestWorkspace, make_workspace

PAGES = ["/", "/jobs", "/invoices"]


def _write(server: Server, statement: Any) -> None:
    with server.sessionmaker() as db:
        db.execute(statement)
        db.commit()


def _signs_in_again(browser: Browser, path: str) -> bool:
    r = browser.get(path)
    return r.status_code == 303 and "/sign-in" in r.headers["location"]


def test_pages_reuse_the_session_rows_until_a_change(
    signed_in: Browser,
    customer: PortalCustomer,
    ws: TestWorkspace,
    full_lookups: list[int],
) -> None:
    for path in PAGES:
        assert signed_in.get(path).status_code == 200
    assert len(full_lookups) <= 1  # the first page after sign-in loads them, once
    before = len(full_lookups)
    for path in PAGES:
        assert signed_in.get(path).status_code == 200
    assert len(full_lookups) == before
    staff = ws.client("owner")
    etag = staff.get(f"/api/v1/contacts/{customer.contact_id}").headers["etag"]
    r = staff.patch(
        f"/api/v1/contacts/{customer.contact_id}",
        json={"name": "Dana Okafor-Whitfield"},
        headers={"If-Match": etag},
    )
    assert r.status_code == 200, r.text
    page = signed_in.get("/")
    assert "Dana Okafor-Whitfield" in page.text
    assert len(full_lookups) == before + 1


END_SESSION: dict[str, Callable[[PortalCustomer], Any]] = {
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
    "password changed": lambda c: (
        update(PortalAccount)
        .where(PortalAccount.id == c.account_id)
        .values(password_changed_at=utcnow() + timedelta(seconds=1))
    ),
}


@pytest.mark.parametrize("how", list(END_SESSION))
def test_a_session_ended_behind_the_cache_ends_on_the_next_page(
    how: str, server: Server, signed_in: Browser, customer: PortalCustomer
) -> None:
    for path in PAGES:
        assert signed_in.get(path).status_code == 200
    _write(server, END_SESSION[how](customer))  # straight to the row: no change recorded
    for path in PAGES:
        assert _signs_in_again(signed_in, path), (how, path)
    assert _signs_in_again(signed_in, "/")  # and stays ended


def test_a_portal_closed_behind_the_cache_shows_coming_soon(
    server: Server, signed_in: Browser, ws: TestWorkspace
) -> None:
    assert signed_in.get("/").status_code == 200
    _write(
        server, update(Workspace).where(Workspace.id == ws.id).values(portal_status="coming_soon")
    )
    page = signed_in.get("/")
    assert page.status_code == 200 and "coming soon" in page.text


def test_branding_written_behind_the_cache_shows_on_the_next_page(
    server: Server, signed_in: Browser, ws: TestWorkspace
) -> None:
    assert signed_in.get("/").status_code == 200
    with server.sessionmaker() as db:
        branding = db.scalar(select(Workspace.branding).where(Workspace.id == ws.id))
    assert branding is not None
    renamed = {**branding, "brand_name": "Renamed Behind The Cache"}
    _write(server, update(Workspace).where(Workspace.id == ws.id).values(branding=renamed))
    page = signed_in.get("/")
    assert page.status_code == 200 and "Renamed Behind The Cache" in page.text


def test_a_cookie_is_not_reused_on_another_portal(
    server: Server, signed_in: Browser, ws: TestWorkspace
) -> None:
    assert signed_in.get("/").status_code == 200
    other = make_workspace(server.sessionmaker, server.url)
    try:
        r = signed_in.client.get(f"/p/{other.slug}/")
        assert r.status_code == 303 and f"/p/{other.slug}/sign-in" in r.headers["location"]
    finally:
        other.close()


def test_previews_are_not_kept(
    server: Server, ws: TestWorkspace, customer: PortalCustomer, browser: Browser
) -> None:
    kept = len(server.app.state.visits)
    staff = ws.client("owner")
    r = staff.post("/api/v1/previews", json={"contact_id": customer.contact_id})
    assert r.status_code == 201, r.text
    opened = browser.client.get(r.json()["url"])
    assert opened.status_code == 303, opened.text[:300]
    for path in PAGES:
        assert browser.get(path).status_code == 200
    assert len(server.app.state.visits) == kept


def test_the_least_recent_visit_is_dropped(server: Server, ws: TestWorkspace) -> None:
    cache = VisitCache(VisitNotes(), size=1)
    people = [
        make_customer(server.sessionmaker, ws.id, ws.slug, name=name, records=False)
        for name in ("Ann Arbor", "Ben Brook")
    ]
    browsers = [Browser(server.url, ws.slug) for _ in people]
    try:
        tokens = []
        for person, b in zip(people, browsers, strict=True):
            assert b.sign_in(person.email).status_code == 303
            tokens.append(b.client.cookies["tb_portal"])
        read = server.app.state.read_sessionmaker
        for person, token in zip(people, tokens, strict=True):
            with read() as db:
                visit = cache.find(db.connection(), ws.slug, token)
                assert visit is not None and visit.contact.name == person.name
        assert len(cache) == 1
    finally:
        for b in browsers:
            b.close()


def test_a_current_home_page_is_answered_without_a_worker_thread_on_postgresql(
    server: Server, signed_in: Browser, monkeypatch: pytest.MonkeyPatch
) -> None:
    on_threads: list[str] = []
    real = VisitCache.find

    def counted(
        self: VisitCache, conn: Connection, slug: str, token: str | None
    ) -> visits.PageVisit | None:
        on_threads.append(slug)
        return real(self, conn, slug, token)

    monkeypatch.setattr(VisitCache, "find", counted)
    assert signed_in.get("/").status_code == 200  # the first view is built on a thread
    before = len(on_threads)
    for _ in range(3):
        assert signed_in.get("/").status_code == 200
    on_loop = server.backend == "postgresql"  # SQLite's driver only blocks: threads always
    assert len(on_threads) - before == (0 if on_loop else 3)
    assert signed_in.get("/jobs").status_code == 200  # a page that queries: on a thread
    assert len(on_threads) - before == (1 if on_loop else 4)


def test_a_visit_is_still_noted_once_a_minute(
    server: Server, signed_in: Browser, customer: PortalCustomer
) -> None:
    for _ in range(2):
        assert signed_in.get("/").status_code == 200
    earlier = utcnow() - timedelta(minutes=2)
    mine = PortalSession.account_id == customer.account_id
    _write(server, update(PortalSession).where(mine).values(last_seen_at=earlier))
    assert signed_in.get("/").status_code == 200
    # Noted in memory by the page, written by the app's background writer within seconds.
    deadline = time.monotonic() + 4 * FLUSH_SECONDS
    seen = None
    while time.monotonic() < deadline:
        with server.sessionmaker() as db:
            seen = db.scalar(select(PortalSession.last_seen_at).where(mine))
        if seen is not None and seen > earlier + timedelta(minutes=1):
            break
        time.sleep(0.2)
    assert seen is not None and seen > earlier + timedelta(minutes=1)


def test_a_noted_visit_never_brings_an_ended_session_back(
    server: Server, signed_in: Browser, customer: PortalCustomer
) -> None:
    assert signed_in.get("/").status_code == 200
    with server.sessionmaker() as db:
        session_id = db.scalar(
            select(PortalSession.id).where(PortalSession.account_id == customer.account_id)
        )
    assert session_id is not None
    mine = PortalSession.id == session_id
    notes = VisitNotes()
    notes.note(session_id, utcnow())  # a visit noted just before the session ended
    idle = utcnow() - timedelta(hours=2)
    _write(server, update(PortalSession).where(mine).values(last_seen_at=idle))
    assert notes.flush(server.sessionmaker) == 1
    with server.sessionmaker() as db:
        assert db.scalar(select(PortalSession.last_seen_at).where(mine)) == idle
    assert _signs_in_again(signed_in, "/")


def test_visits_are_noted_without_a_write_on_the_page(
    server: Server, signed_in: Browser, customer: PortalCustomer, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert signed_in.get("/").status_code == 200
    writes: list[object] = []
    real = portal_sessions.writable

    def counted(db: Session) -> Any:
        writes.append(db)
        return real(db)

    monkeypatch.setattr(portal_sessions, "writable", counted)
    mine = PortalSession.account_id == customer.account_id
    _write(
        server,
        update(PortalSession).where(mine).values(last_seen_at=utcnow() - timedelta(minutes=2)),
    )
    for path in PAGES:
        assert signed_in.get(path).status_code == 200
    assert writes == []
    assert len(server.app.state.visits.notes) <= 1
