"""Signing in and out, invites, resets, password changes, sessions, throttling and lockout."""

from __future__ import annotations

import time

from sqlalchemy import select, update

from server.db.models import AuditEvent, OutboxEmail, PortalAccount, PortalSession
from tests.server.conftest import Server
from tests.server.portal.fixtures import (
    PASSWORD,
    Browser,
    PortalCustomer,
    make_customer,
    make_invite,
)
from tests.support.workspaces import TestWorkspace

FAILED = "That email and password do not match."


def queued_resets(server: Server, account_id: int, count: int = 1) -> list[OutboxEmail]:
    """The account's reset emails, waiting a little: they are queued after the answer."""
    deadline = time.monotonic() + 10
    while True:
        with server.sessionmaker() as db:
            rows = list(
                db.scalars(
                    select(OutboxEmail)
                    .where(OutboxEmail.account_id == account_id, OutboxEmail.kind == "reset")
                    .order_by(OutboxEmail.id)
                )
            )
        if len(rows) >= count or time.monotonic() > deadline:
            assert len(rows) >= count, f"{len(rows)} reset emails, expected {count}"
            return rows
        time.sleep(0.05)


def test_sign_in_sets_a_safe_cookie_and_sign_out_ends_the_session(
    browser: Browser, customer: PortalCustomer, server: Server
) -> None:
    response = browser.sign_in(customer.email)
    assert response.status_code == 303
    cookie = response.headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie.replace("Lax", "lax")
    assert f"Path=/p/{customer.slug}" in cookie
    token = browser.client.cookies["tb_portal"]
    with server.sessionmaker() as db:
        stored = db.scalars(select(PortalSession.digest)).all()
    assert token not in stored  # only the digest is kept
    assert browser.get("/").status_code == 200
    out = browser.post("/sign-out", form_page="/")
    assert out.status_code == 303
    browser.client.cookies.set("tb_portal", token, path=f"/p/{customer.slug}")
    again = browser.get("/")
    assert again.status_code == 303 and "/sign-in" in again.headers["location"]


def test_new_session_on_every_sign_in(browser: Browser, customer: PortalCustomer) -> None:
    browser.sign_in(customer.email)
    first = browser.client.cookies["tb_portal"]
    browser.sign_in(customer.email)
    assert browser.client.cookies["tb_portal"] != first


def test_same_answer_for_unknown_wrong_and_disabled(
    browser: Browser, customer: PortalCustomer, server: Server, ws: TestWorkspace
) -> None:
    disabled = make_customer(server.sessionmaker, ws.id, ws.slug, status="disabled", records=False)
    answers = []
    timings = []
    for email, password in [
        ("nobody@example.net", PASSWORD),
        (customer.email, "wrong password here"),
        (disabled.email, PASSWORD),
    ]:
        started = time.perf_counter()
        r = browser.sign_in(email, password)
        timings.append(time.perf_counter() - started)
        answers.append(
            (r.status_code, FAILED in r.text, "tb_portal" in r.headers.get("set-cookie", ""))
        )
    assert answers == [(401, True, False)] * 3
    assert max(timings) < min(timings) * 4 + 0.2


def test_lockout_after_five_failures_and_reset_still_works(
    browser: Browser, customer: PortalCustomer, server: Server
) -> None:
    for _ in range(5):
        assert browser.sign_in(customer.email, "not the password").status_code == 401
    locked = browser.sign_in(customer.email)  # even the right password
    assert locked.status_code == 429 and "Too many attempts" in locked.text
    with server.sessionmaker() as db:
        account = db.get(PortalAccount, customer.account_id)
        assert account is not None and account.locked_until is not None
    # Unknown emails are throttled the same way, so lockout does not reveal accounts.
    for _ in range(5):
        browser.sign_in("ghost@example.net", "whatever pass")
    assert browser.sign_in("ghost@example.net", "whatever pass").status_code == 429
    # The reset link is never blocked by the lock.
    assert browser.post("/forgot", {"email": customer.email}).status_code == 200
    mail = queued_resets(server, customer.account_id)[0]  # made after the answer
    link = mail.link or ""
    rest = link.split(f"/p/{customer.slug}", 1)[1]
    done = browser.post(
        rest, {"password": "brand new sturdy pass", "confirm": "brand new sturdy pass"}
    )
    assert done.status_code == 303
    assert browser.get("/").status_code == 200
    with server.sessionmaker() as db:
        account = db.get(PortalAccount, customer.account_id)
        assert account is not None and account.locked_until is None
    # Single use.
    assert browser.get(rest).status_code == 410


def test_forgot_password_answers_the_same_and_mails_only_real_accounts(
    browser: Browser, customer: PortalCustomer, server: Server, ws: TestWorkspace
) -> None:
    known = browser.post("/forgot", {"email": customer.email})
    unknown = browser.post("/forgot", {"email": "nobody@example.net"})
    assert known.status_code == unknown.status_code == 200
    assert known.text.replace(customer.email, "X") == unknown.text.replace(
        "nobody@example.net", "X"
    )
    queued_resets(server, customer.account_id)  # made after the answer
    with server.sessionmaker() as db:
        rows = db.scalars(select(OutboxEmail).where(OutboxEmail.workspace_id == ws.id)).all()
    assert [r.to_address for r in rows] == [customer.email]
    assert rows[0].kind == "reset" and "/reset/" in (rows[0].link or "")
    bad = browser.post("/forgot", {"email": "not-an-email"})
    assert bad.status_code == 422


def test_invite_accept_sets_password_and_signs_in(
    browser: Browser, server: Server, ws: TestWorkspace
) -> None:
    invited = make_customer(server.sessionmaker, ws.id, ws.slug, status="invited", records=False)
    token = make_invite(server.sessionmaker, ws.id, invited.account_id)
    page = browser.get(f"/invite/{token}")
    assert page.status_code == 200 and invited.email in page.text
    short = browser.post(f"/invite/{token}", {"password": "short", "confirm": "short"})
    assert short.status_code == 422 and "at least 8 characters" in short.text
    common = browser.post(f"/invite/{token}", {"password": "password123", "confirm": "password123"})
    assert common.status_code == 422 and "too common" in common.text
    mismatch = browser.post(
        f"/invite/{token}", {"password": "a fine passphrase", "confirm": "other one!"}
    )
    assert mismatch.status_code == 422 and "do not match" in mismatch.text
    ok = browser.post(
        f"/invite/{token}", {"password": "a fine passphrase", "confirm": "a fine passphrase"}
    )
    assert ok.status_code == 303
    home = browser.get("/?welcome=1")
    assert home.status_code == 200 and "Welcome" in home.text
    # The flag is the portal's own; a link that mangled it shows the page without the notice.
    for odd in ("/?welcome=0", "/?welcome=yes", "/?welcome=-1", "/?welcome=", "/?welcome=%00"):
        plain = browser.get(odd)
        assert plain.status_code == 200 and "Welcome" not in plain.text, odd
    changed = browser.get("/?password_changed=2")
    assert changed.status_code == 200 and "Your new password is saved" in changed.text
    with server.sessionmaker() as db:
        account = db.get(PortalAccount, invited.account_id)
        assert account is not None and account.status == "active"
        actions = db.scalars(
            select(AuditEvent.action).where(AuditEvent.workspace_id == ws.id)
        ).all()
        assert "portal.invite_accepted" in actions
    used = browser.get(f"/invite/{token}")
    assert used.status_code == 410 and "no longer works" in used.text


def test_expired_revoked_and_unknown_invites_show_the_office_contact(
    browser: Browser, server: Server, ws: TestWorkspace
) -> None:
    from datetime import timedelta

    from server.db.models import Invite, Workspace

    with server.sessionmaker() as db:
        workspace = db.get(Workspace, ws.id)
        assert workspace is not None
        workspace.branding = {"brand_name": "Pipe & Co <b>", "phone": "+1 555 0100"}
        db.commit()
    invited = make_customer(server.sessionmaker, ws.id, ws.slug, status="invited", records=False)
    expired = make_invite(
        server.sessionmaker, ws.id, invited.account_id, expires_in=timedelta(seconds=-1)
    )
    revoked = make_invite(server.sessionmaker, ws.id, invited.account_id)
    with server.sessionmaker() as db:
        from server.db.base import utcnow
        from server.domain.secrets import digest

        db.execute(
            update(Invite).where(Invite.digest == digest(revoked)).values(revoked_at=utcnow())
        )
        db.commit()
    for token in (expired, revoked, "x" * 43):
        page = browser.get(f"/invite/{token}")
        assert page.status_code == 410
        assert "+1 555 0100" in page.text and "Pipe &amp; Co &lt;b&gt;" in page.text
        posted = browser.post(
            f"/invite/{token}",
            {"password": "a fine passphrase", "confirm": "a fine passphrase"},
            form_page="/sign-in",
        )
        assert posted.status_code == 410


def test_change_password_ends_other_sessions(
    signed_in: Browser, customer: PortalCustomer, server: Server
) -> None:
    other = Browser(server.url, customer.slug)
    other.sign_in(customer.email)
    assert other.get("/").status_code == 200
    wrong = signed_in.post(
        "/account/password", {"current": "nope nope", "password": "x", "confirm": "x"}
    )
    assert wrong.status_code == 422 and "Nothing was changed" in wrong.text
    ok = signed_in.post(
        "/account/password",
        {"current": PASSWORD, "password": "another sturdy one", "confirm": "another sturdy one"},
    )
    assert ok.status_code == 303
    assert signed_in.get("/").status_code == 200
    assert other.get("/").status_code == 303
    other.close()


def test_disable_ends_the_session_on_the_next_request(
    signed_in: Browser, customer: PortalCustomer, server: Server
) -> None:
    assert signed_in.get("/jobs").status_code == 200
    with server.sessionmaker() as db:
        db.execute(
            update(PortalAccount)
            .where(PortalAccount.id == customer.account_id)
            .values(status="disabled")
        )
        db.commit()
    r = signed_in.get("/jobs")
    assert r.status_code == 303 and r.headers["location"].endswith(
        "/sign-in?next=/p/" + customer.slug + "/jobs"
    )


def test_idle_session_times_out(
    signed_in: Browser, customer: PortalCustomer, server: Server
) -> None:
    from datetime import timedelta

    from server.db.base import utcnow

    with server.sessionmaker() as db:
        db.execute(
            update(PortalSession)
            .where(PortalSession.account_id == customer.account_id)
            .values(last_seen_at=utcnow() - timedelta(hours=2))
        )
        db.commit()
    assert signed_in.get("/").status_code == 303


def test_sign_in_is_throttled_per_address(browser: Browser, customer: PortalCustomer) -> None:
    codes = [browser.sign_in(f"n{i}@example.net", "whatever pass").status_code for i in range(31)]
    assert codes[:30] == [401] * 30 and codes[30] == 429
    assert "Too many attempts from your network" in browser.sign_in(customer.email).text
