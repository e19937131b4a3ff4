"""CSRF, Origin, headers, coming soon, escaping and customer isolation (IDOR)."""

from __future__ import annotations

from sqlalchemy import select, update

from server.db.models import Quote, Workspace
from tests.server.conftest import Server
from tests.server.portal.fixtures import Browser, PortalCustomer, make_customer
from tests.support.workspaces import TestWorkspace, make_workspace


def test_forms_need_the_csrf_token(
    signed_in: Browser, customer: PortalCustomer, server: Server
) -> None:
    qid = customer.ids["quote"]
    data = {"name": "Dana Whitfield", "agree": "yes"}
    missing = signed_in.client.post(signed_in.path(f"/quotes/{qid}/approve"), data=data)
    wrong = signed_in.client.post(
        signed_in.path(f"/quotes/{qid}/approve"), data={**data, "csrf_token": "x" * 43}
    )
    for r in (missing, wrong):
        assert r.status_code == 403 and "expired" in r.text and "<html" in r.text
    with server.sessionmaker() as db:
        assert db.get(Quote, qid).status == "pending"  # type: ignore[union-attr]
    signed_out = Browser(server.url, customer.slug)
    r = signed_out.client.post(
        signed_out.path("/sign-in"), data={"email": customer.email, "password": "x"}
    )
    assert r.status_code == 403
    signed_out.close()


def test_forms_from_another_origin_are_refused(
    signed_in: Browser, customer: PortalCustomer, server: Server
) -> None:
    qid = customer.ids["quote"]
    token = signed_in.token(f"/quotes/{qid}")
    data = {"name": "Dana Whitfield", "agree": "yes", "csrf_token": token}
    evil = signed_in.client.post(
        signed_in.path(f"/quotes/{qid}/approve"),
        data=data,
        headers={"Origin": "https://evil.example"},
    )
    assert evil.status_code == 403 and "another site" in evil.text
    none = signed_in.client.post(
        signed_in.path(f"/quotes/{qid}/approve"), data=data, headers={"Origin": ""}
    )
    assert none.status_code == 403
    with server.sessionmaker() as db:
        assert db.get(Quote, qid).status == "pending"  # type: ignore[union-attr]


def test_security_headers_and_no_state_change_on_get(
    signed_in: Browser, customer: PortalCustomer
) -> None:
    page = signed_in.get("/")
    csp = page.headers["content-security-policy"]
    assert (
        "script-src 'self'" in csp
        and "frame-ancestors 'none'" in csp
        and "unsafe-inline" not in csp
    )
    assert page.headers["x-content-type-options"] == "nosniff"
    assert page.headers["cache-control"] == "no-store"
    assert "<script" not in page.text and "style=" not in page.text
    assert signed_in.get(f"/quotes/{customer.ids['quote']}/approve").status_code == 405
    assert signed_in.get("/sign-out").status_code == 405


def test_coming_soon_on_every_path(server: Server) -> None:
    closed = make_workspace(server.sessionmaker, server.url, portal_status="coming_soon")
    person = make_customer(server.sessionmaker, closed.id, closed.slug)
    b = Browser(server.url, closed.slug)
    for path in [
        "/",
        "/sign-in",
        "/jobs",
        "/no/such/page",
        f"/quotes/{person.ids['quote']}",
        "/forgot",
    ]:
        r = b.get(path)
        assert r.status_code == 200 and "coming soon" in r.text, path
    r = b.client.post(
        b.path("/sign-in"), data={"email": person.email, "password": "a sturdy portal password"}
    )
    assert "coming soon" in r.text and "tb_portal" not in r.headers.get("set-cookie", "")
    assert b.client.get("/static/portal.css").status_code == 200
    b.close()
    closed.close()


def test_unknown_portal_is_a_plain_404(browser: Browser) -> None:
    r = browser.client.get("/p/no-such-portal/")
    assert r.status_code == 404 and "There is no customer portal" in r.text


def test_staff_text_is_escaped(
    signed_in: Browser, customer: PortalCustomer, server: Server, ws: TestWorkspace
) -> None:
    with server.sessionmaker() as db:
        db.execute(
            update(Quote)
            .where(Quote.id == customer.ids["quote"])
            .values(title='<script>alert(1)</script>"')
        )
        w = db.get(Workspace, ws.id)
        w.branding = {"brand_name": "<img src=x onerror=alert(1)>"}  # type: ignore[union-attr]
        db.commit()
    page = signed_in.get(f"/quotes/{customer.ids['quote']}")
    assert "<script>alert(1)" not in page.text and "&lt;script&gt;" in page.text
    assert "<img src=x" not in page.text


def test_another_customers_objects_are_the_same_404(
    signed_in: Browser, customer: PortalCustomer, server: Server, ws: TestWorkspace
) -> None:
    other = make_customer(server.sessionmaker, ws.id, ws.slug)
    foreign_ws = make_workspace(server.sessionmaker, server.url)
    far = make_customer(server.sessionmaker, foreign_ws.id, foreign_ws.slug)
    routes = [
        ("GET", "/jobs/{job}"),
        ("GET", "/quotes/{quote}"),
        ("GET", "/invoices/{invoice}"),
        ("GET", "/documents/{document}/download"),
        ("GET", "/photos/{photo}"),
        ("GET", "/requests/{request}"),
        ("POST", "/quotes/{quote}/approve"),
        ("POST", "/quotes/{quote}/decline"),
        ("GET", "/invoices/{invoice}/pay"),
    ]
    missing = signed_in.get("/jobs/999999999")
    assert missing.status_code == 404
    token = signed_in.token("/")
    for owner in (other, far):
        ids = {**owner.ids, "request": 1}
        for method, template in routes:
            path = template.format(**ids)
            if method == "GET":
                r = signed_in.get(path)
            else:
                r = signed_in.client.post(
                    signed_in.path(path), data={"csrf_token": token, "name": "X Y", "agree": "yes"}
                )
            assert r.status_code == 404, (path, r.status_code)
            assert r.text == missing.text, path
    # Own pending files are never served either.
    for path in (
        f"/documents/{customer.ids['pending_document']}/download",
        f"/photos/{customer.ids['pending_photo']}",
    ):
        r = signed_in.get(path)
        assert r.status_code == 404 and r.text == missing.text
    with server.sessionmaker() as db:
        statuses = db.scalars(
            select(Quote.status).where(Quote.id.in_([other.ids["quote"], far.ids["quote"]]))
        ).all()
    assert statuses == ["pending", "pending"]
    foreign_ws.close()
