"""Security rules of the portal: links die with a password change, no account enumeration by
lockout or timing, and what costs (password guesses, service requests, photos) is bounded."""

from __future__ import annotations

import io
from collections.abc import Iterator
from typing import Any

import pytest
from PIL import Image
from sqlalchemy import event, select

from server.db.models import PortalSession, Workspace
from server.domain import reset_requests
from server.domain.service_requests import REQUESTS_PER_WINDOW
from tests.server.conftest import Server
from tests.server.portal.fixtures import PASSWORD, Browser, PortalCustomer, make_customer
from tests.server.portal.test_auth_flows import queued_resets
from tests.support.workspaces import TestWorkspace

NEW = "a brand new sturdy passphrase"


def _reset_link(browser: Browser, server: Server, customer: PortalCustomer) -> str:
    assert browser.post("/forgot", {"email": customer.email}).status_code == 200
    link = queued_resets(server, customer.account_id)[-1].link or ""
    return link.split(f"/p/{customer.slug}", 1)[1]


def test_a_password_change_kills_reset_links_sent_before(
    signed_in: Browser, customer: PortalCustomer, server: Server
) -> None:
    outsider = Browser(server.url, customer.slug)
    try:
        rest = _reset_link(outsider, server, customer)
        assert outsider.get(rest).status_code == 200  # the link works now
        changed = signed_in.post(
            "/account/password", {"current": PASSWORD, "password": NEW, "confirm": NEW}
        )
        assert changed.status_code == 303
        assert signed_in.get("/").status_code == 200  # the current session stays
        assert outsider.get(rest).status_code == 410
        posted = outsider.post(
            rest,
            {"password": "attacker chosen pass", "confirm": "attacker chosen pass"},
            form_page="/sign-in",
        )
        assert posted.status_code == 410
        assert outsider.sign_in(customer.email, NEW).status_code == 303
    finally:
        outsider.close()


def test_a_reset_ends_other_sessions_and_other_links(
    browser: Browser, customer: PortalCustomer, server: Server
) -> None:
    other = Browser(server.url, customer.slug)
    try:
        assert other.sign_in(customer.email).status_code == 303
        first = _reset_link(browser, server, customer)
        # A second link made another way is also out; using the first kills it.
        second = _second_link(server, customer)
        done = browser.post(first, {"password": NEW, "confirm": NEW})
        assert done.status_code == 303
        assert other.get("/").status_code == 303  # signed out
        assert browser.get(second).status_code == 410
    finally:
        other.close()


def browser_ws_id(db: Any, customer: PortalCustomer) -> int:
    found = db.scalar(select(Workspace.id).where(Workspace.slug == customer.slug))
    assert found is not None
    return int(found)


def _second_link(server: Server, customer: PortalCustomer) -> str:
    """A reset link made the way the office's "send reset link" does, without revoking."""
    from datetime import timedelta

    from server.db.base import utcnow
    from server.db.models import ResetToken
    from server.domain.secrets import digest, new_token

    token = new_token()
    with server.sessionmaker() as db:
        db.add(
            ResetToken(
                workspace_id=browser_ws_id(db, customer),
                account_id=customer.account_id,
                digest=digest(token),
                expires_at=utcnow() + timedelta(hours=1),
            )
        )
        db.commit()
    return f"/reset/{token}"


def test_lockout_is_the_same_for_every_kind_of_email(
    browser: Browser, customer: PortalCustomer, server: Server, ws: TestWorkspace
) -> None:
    invited = make_customer(server.sessionmaker, ws.id, ws.slug, status="invited", records=False)
    disabled = make_customer(server.sessionmaker, ws.id, ws.slug, status="disabled", records=False)
    emails = [customer.email, invited.email, disabled.email, "nobody.here@example.net"]
    answers = {}
    for email in emails:
        codes = [browser.sign_in(email, "not the password").status_code for _ in range(5)]
        sixth = browser.sign_in(email, PASSWORD)
        answers[email] = (codes, sixth.status_code, "Too many attempts" in sixth.text)
    assert set(map(str, answers.values())) == {str(([401] * 5, 429, True))}, answers


def test_forgot_password_does_the_same_work_for_every_email(
    customer: PortalCustomer, server: Server, ws: TestWorkspace
) -> None:
    """What runs before the answer is the same statements for a known and an unknown email:
    the look-up happens after the answer has gone (``send_reset``)."""
    engine = server.app.state.engine
    seen: list[str] = []

    def note(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        seen.append(statement.split(" WHERE")[0])

    def run(email: str) -> list[str]:
        seen.clear()
        event.listen(engine, "before_cursor_execute", note)
        try:
            with server.sessionmaker() as db:
                row = db.get(Workspace, ws.id)
                assert row is not None
                seen.clear()
                taken = reset_requests.take_request(db, row, email, server.url, ip="10.9.8.7")
        finally:
            event.remove(engine, "before_cursor_execute", note)
        assert taken is not None
        return list(seen)

    known, unknown = run(customer.email), run("nobody.at.all@example.net")
    assert known == unknown
    assert not any("portal_account" in s for s in known)


def test_wrong_current_passwords_end_the_session(
    signed_in: Browser, customer: PortalCustomer, server: Server
) -> None:
    answers = [
        signed_in.post(
            "/account/password", {"current": f"guess {i}", "password": NEW, "confirm": NEW}
        )
        for i in range(5)
    ]
    assert [a.status_code for a in answers] == [422] * 4 + [429]
    assert "signed out" in answers[-1].text
    assert signed_in.get("/").status_code == 303  # the session is over
    with server.sessionmaker() as db:
        live = db.scalars(
            select(PortalSession).where(
                PortalSession.account_id == customer.account_id,
                PortalSession.revoked_at.is_(None),
            )
        ).all()
    assert live == []
    # The owner of the account signs in again as usual.
    assert signed_in.sign_in(customer.email).status_code == 303


def _png(width: int, height: int) -> bytes:
    out = io.BytesIO()
    Image.new("L", (width, height), 200).save(out, "PNG")
    return out.getvalue()


@pytest.fixture
def decoded(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[int]]:
    """Counts the photos the server decodes and re-encodes (the costly step)."""
    import server.portal.requests as route

    calls: list[int] = []
    real = route.clean_image

    def counting(data: bytes, **kw: Any) -> Any:
        calls.append(len(data))
        return real(data, **kw)

    monkeypatch.setattr(route, "clean_image", counting)
    yield calls


def test_an_invalid_request_form_decodes_no_photo(
    signed_in: Browser, customer: PortalCustomer, decoded: list[int]
) -> None:
    photo = ("photos", ("boiler.png", _png(3000, 2000), "image/png"))
    r = signed_in.post("/request", {"description": "", "address_id": ""}, files=[photo])
    assert r.status_code == 422
    assert "Tell us what you need" in r.text and "add your photos again" in r.text
    assert decoded == []


def test_photos_too_large_together_are_refused_before_decoding(
    signed_in: Browser, customer: PortalCustomer, decoded: list[int]
) -> None:
    big = _png(6000, 6000)  # 36 megapixels each: under the per-photo limit, not together
    files = [("photos", (f"p{i}.png", big, "image/png")) for i in range(2)]
    form = {"description": "The boiler knocks", "address_id": str(customer.ids["address"])}
    r = signed_in.post("/request", form, files=files)
    assert r.status_code == 422
    assert "too large together" in r.text
    assert decoded == []


def test_service_requests_are_limited_per_account(
    signed_in: Browser, customer: PortalCustomer
) -> None:
    form = {"description": "", "address_id": str(customer.ids["address"])}
    codes = [signed_in.post("/request", form).status_code for _ in range(REQUESTS_PER_WINDOW)]
    assert codes == [422] * REQUESTS_PER_WINDOW
    good = {"description": "The boiler knocks", "address_id": str(customer.ids["address"])}
    limited = signed_in.post("/request", good)
    assert limited.status_code == 429
    assert "wait a while" in limited.text and "Contact" in limited.text
