"""Previews of contacts without an account, the coming-soon page, returning to a page, and
what a preview must refuse."""

from __future__ import annotations

from sqlalchemy import func, select

from server.db.models import AuditEvent, Change, Contact, PortalAccount, PortalSession, Workspace
from tests.server.conftest import Server
from tests.server.portal.fixtures import Browser, PortalCustomer, make_customer
from tests.support.workspaces import TestWorkspace, make_workspace


def _open(server: Server, ws: TestWorkspace, url: str, next_path: str | None = None) -> Browser:
    viewer = Browser(server.url, ws.slug)
    opened = viewer.client.get(url, params={"next": next_path} if next_path else None)
    assert opened.status_code == 303, opened.text[:300]
    return viewer


def _contact_without_account(server: Server, customer: PortalCustomer) -> int:
    with server.sessionmaker() as db:
        ws_id = db.get(Contact, customer.contact_id).workspace_id  # type: ignore[union-attr]
        contact = Contact(
            workspace_id=ws_id,
            customer_id=customer.customer_id,
            name="Sam Whitfield",
            email="Sam.W@Example.net",
            email_normalized="sam.w@example.net",
        )
        db.add(contact)
        db.commit()
        return contact.id


def test_a_contact_without_an_account_is_previewed_and_nothing_is_made_for_them(
    customer: PortalCustomer, server: Server, ws: TestWorkspace
) -> None:
    contact_id = _contact_without_account(server, customer)
    with server.sessionmaker() as db:
        accounts = db.scalar(select(func.count()).select_from(PortalAccount))
        changes = db.scalar(select(func.count()).select_from(Change))
    r = ws.client("dispatcher").post("/api/v1/previews", json={"contact_id": contact_id})
    assert r.status_code == 201, r.text
    viewer = _open(server, ws, r.json()["url"])
    home = viewer.get("/")
    assert home.status_code == 200 and "Hello, Sam Whitfield" in home.text
    assert "Fix the boiler" in home.text  # the customer's records, as once invited
    account_page = viewer.get("/account/password")
    assert account_page.status_code == 200 and 'value="sam.w@example.net"' in account_page.text
    posted = viewer.post(
        f"/quotes/{customer.ids['quote']}/approve",
        {"name": "Staff", "agree": "yes"},
        form_page=f"/quotes/{customer.ids['quote']}",
    )
    assert posted.status_code == 200 and "nothing was changed" in posted.text
    with server.sessionmaker() as db:
        assert db.scalar(select(func.count()).select_from(PortalAccount)) == accounts
        assert db.scalar(select(func.count()).select_from(Change)) == changes
        row = db.scalars(select(PortalSession).where(PortalSession.contact_id == contact_id)).one()
        assert row.account_id is None and row.preview_by_id is not None
        event = db.scalars(
            select(AuditEvent).where(
                AuditEvent.action == "staff.preview", AuditEvent.contact_id == contact_id
            )
        ).one()
        assert event.actor_kind == "staff"
    viewer.close()


def test_preview_opens_on_the_page_it_was_asked_for_and_never_elsewhere(
    customer: PortalCustomer, server: Server, ws: TestWorkspace
) -> None:
    staff = ws.client("manager")

    def link() -> str:
        return str(
            staff.post("/api/v1/previews", json={"contact_id": customer.contact_id}).json()["url"]
        )

    viewer = Browser(server.url, ws.slug)
    job = f"/jobs/{customer.ids['job']}"
    r = viewer.client.get(link(), params={"next": job})
    assert r.status_code == 303 and r.headers["location"] == f"/p/{ws.slug}{job}"
    for bad in ("//evil.example/x", "https://evil.example/", "/\\evil", "jobs", "/a\nb", "x" * 600):
        r = viewer.client.get(link(), params={"next": bad})
        assert r.status_code == 303 and r.headers["location"] == f"/p/{ws.slug}/", bad
    viewer.close()


def test_preview_of_another_workspace_or_deleted_contact_is_refused(
    customer: PortalCustomer, server: Server, ws: TestWorkspace
) -> None:
    other = make_workspace(server.sessionmaker, server.url)
    try:
        theirs = make_customer(server.sessionmaker, other.id, other.slug)
        r = ws.client("manager").post("/api/v1/previews", json={"contact_id": theirs.contact_id})
        assert r.status_code == 404 and r.json()["detail"]
        gone = _contact_without_account(server, customer)
        with server.sessionmaker() as db:
            db.delete(db.get(Contact, gone))
            db.commit()
        r = ws.client("manager").post("/api/v1/previews", json={"contact_id": gone})
        assert r.status_code == 404 and "no contact" in r.json()["detail"]
        for body in ({"contact_id": 0}, {"contact_id": "x"}, {}, {"contact_id": 1, "extra": 1}):
            r = ws.client("manager").post("/api/v1/previews", json=body)
            assert r.status_code == 422, body
    finally:
        other.close()


def test_a_deleted_contact_ends_their_preview(
    customer: PortalCustomer, server: Server, ws: TestWorkspace
) -> None:
    contact_id = _contact_without_account(server, customer)
    url = ws.client("manager").post("/api/v1/previews", json={"contact_id": contact_id})
    viewer = _open(server, ws, url.json()["url"])
    assert viewer.get("/").status_code == 200
    with server.sessionmaker() as db:
        db.delete(db.get(Contact, contact_id))
        db.commit()
    after = viewer.client.get(viewer.path("/"))
    assert after.status_code == 303 and "/sign-in" in after.headers["location"]
    viewer.close()


def test_coming_soon_preview_shows_what_customers_get_today(server: Server) -> None:
    ws = make_workspace(server.sessionmaker, server.url, portal_status="coming_soon")
    try:
        customer = make_customer(server.sessionmaker, ws.id, ws.slug)
        staff = ws.client("manager")
        public = Browser(server.url, ws.slug).get("/")
        soon = staff.post(
            "/api/v1/previews", json={"contact_id": customer.contact_id, "show_coming_soon": True}
        )
        viewer = _open(server, ws, soon.json()["url"])
        page = viewer.get("/")
        assert page.status_code == public.status_code
        assert page.text == public.text and "Fix the boiler" not in page.text
        live = staff.post("/api/v1/previews", json={"contact_id": customer.contact_id})
        viewer = _open(server, ws, live.json()["url"])
        assert "Fix the boiler" in viewer.get("/").text  # the portal as it will be once live
        with server.sessionmaker() as db:
            assert db.get(Workspace, ws.id).portal_status == "coming_soon"  # type: ignore[union-attr]
    finally:
        ws.close()


def test_a_preview_is_audited_when_its_link_is_opened_not_when_it_is_made(
    customer: PortalCustomer, server: Server, ws: TestWorkspace
) -> None:
    def audited() -> list[AuditEvent]:
        with server.sessionmaker() as db:
            return list(
                db.scalars(
                    select(AuditEvent).where(
                        AuditEvent.workspace_id == ws.id, AuditEvent.action == "staff.preview"
                    )
                )
            )

    c = ws.client("manager")
    made = c.post(
        "/api/v1/previews",
        json={"contact_id": customer.contact_id, "use_draft_visibility": True},
    )
    assert made.status_code == 201, made.text
    # The console asks for the next contact's link ahead of time: not a preview yet.
    assert audited() == []
    _open(server, ws, made.json()["url"])
    (event,) = audited()
    assert event.actor_kind == "staff" and event.actor_name and event.actor_id is not None
    assert (event.customer_id, event.contact_id) == (customer.customer_id, customer.contact_id)
    assert event.detail["use_draft_visibility"] is True and event.detail["has_account"] is True
    # Used twice: refused, and not audited again.
    again = Browser(server.url, ws.slug).client.get(made.json()["url"])
    assert again.status_code == 410
    assert len(audited()) == 1
