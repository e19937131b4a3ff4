"""The Preview panel in QtWebEngine: a contact's portal at device widths, published beside the
draft with the changes outlined, the inspector, and what goes wrong (links used or expired,
a deleted contact, the server going away)."""

from __future__ import annotations

import asyncio
import json
import time

import pytest
from sqlalchemy import select, update

from server.db.models import AuditEvent, Contact, PortalAccount, PortalSession
from tests.ui.customers_see_harness import (  # noqa: F401  (fixtures)
    Harness,
    screenshot,
    see_fixture,
    see_server_fixture,
)

pytestmark = pytest.mark.webengine
ADDRESS_POINT = (
    "(function(){var r=document.querySelector('[data-why=\"jobs.address\"]')"
    ".getBoundingClientRect();return JSON.stringify([r.left+4,r.top+4]);})()"
)


def _preview(see: Harness, role: str = "manager"):  # type: ignore[no-untyped-def]
    window = see.window(role)
    see.call(lambda: window.select_panel("preview"))
    panel = window.panels["preview"]
    see.wait(lambda: panel.frames and panel.controls.customers.count() > 0)
    return window, panel


def _contact(see: Harness, panel):  # type: ignore[no-untyped-def]
    see.run(panel._load_contacts(see.customer.customer_id))
    return panel.controls.contacts.itemData(0)


async def _ajs(frame, script: str):  # type: ignore[no-untyped-def]
    fut = asyncio.get_running_loop().create_future()
    frame.run_js(script, lambda r: fut.done() or fut.set_result(r))
    return await asyncio.wait_for(fut, 20)


def _js(see: Harness, frame, script: str):  # type: ignore[no-untyped-def]
    return see.loop.run_until_complete(_ajs(frame, script))


def _until_js(see: Harness, frame, script: str, expected: object) -> None:  # type: ignore[no-untyped-def]
    async def go() -> None:
        deadline = time.monotonic() + 30
        while (got := await _ajs(frame, script)) != expected:
            if time.monotonic() > deadline:
                raise AssertionError(f"{script} is {got!r}, not {expected!r}")
            await asyncio.sleep(0.05)

    see.loop.run_until_complete(go())


def _loaded(see: Harness, panel, key: str, path: str) -> None:  # type: ignore[no-untyped-def]
    frame = panel.frames[key]
    try:
        see.wait(
            lambda: (
                frame.url().path() == f"/p/{see.ws.slug}{path}"
                and not frame.view.page().isLoading()
            )
        )
    except AssertionError:
        raise AssertionError(
            f"{frame.url().toString()} {panel.controls.message.text()} {see.errors}"
        ) from None
    _until_js(see, frame, "document.readyState", "complete")


def test_preview_at_device_widths_and_the_empty_state(see: Harness) -> None:
    window, panel = _preview(see)
    screenshot(window, "preview-empty")
    contact = _contact(see, panel)
    see.call(lambda: panel.show_contact(contact))
    _loaded(see, panel, "published", "/")
    frame = panel.frames["published"]
    assert "Hello, Dana Whitfield" in _js(see, frame, "document.body.textContent")
    for width in (390, 768, 1280):
        see.call(lambda w=width: panel._set_width(w))
        _until_js(see, frame, "window.innerWidth", width)
        assert frame.view.width() <= panel.split.width()
    screenshot(window, "preview-desktop")
    see.call(lambda: panel._set_width(390))
    _until_js(see, frame, "window.innerWidth", 390)
    screenshot(window, "preview-phone")
    window.resize(900, 700)
    see.call(lambda: panel._set_width(1280))
    _until_js(see, frame, "window.innerWidth", 1280)
    assert frame.scale < 1.0  # the real width, scaled to fit the narrow window
    screenshot(window, "preview-narrow")


def test_side_by_side_outlines_what_the_draft_changes(see: Harness) -> None:
    etag = see.api().get("/api/v1/visibility-policy").headers["etag"]
    see.api().put(
        "/api/v1/visibility-policy/draft",
        json={"fields": {"jobs": {"technician_name": False, "address": False}}},
        headers={"If-Match": etag},
    )
    window, panel = _preview(see)
    contact = _contact(see, panel)
    job = f"/jobs/{see.customer.ids['job']}"
    see.call(lambda: panel._set_mode("side", reload=False))
    see.call(lambda: panel.show_contact(contact, job))
    _loaded(see, panel, "published", job)
    _loaded(see, panel, "draft", job)
    see.wait(lambda: "On this page" in panel.controls.message.text())
    assert "outlined in grey" in panel.controls.message.text()
    pub = _js(
        see, panel.frames["published"], "document.querySelectorAll('[data-toolbag-changed]').length"
    )
    assert pub >= 2  # technician and address are gone in the draft
    assert "Tech Ray" not in _js(see, panel.frames["draft"], "document.body.textContent")
    # Both pages at the device width, each scaled to fit its half of the panel.
    for key in ("published", "draft"):
        frame = panel.frames[key]
        assert _js(see, frame, "window.innerWidth") == 1280, (
            key,
            frame.scale,
            frame.holder.width(),
            frame.view.width(),
            frame.width(),
            panel.split.sizes(),
        )
        assert frame.view.width() <= frame.holder.width(), key
    screenshot(window, "preview-side-by-side")


def test_inspector_says_why_and_links_to_the_switch(see: Harness) -> None:
    window, panel = _preview(see)
    contact = _contact(see, panel)
    job = f"/jobs/{see.customer.ids['job']}"
    see.call(lambda: panel.show_contact(contact, job))
    _loaded(see, panel, "published", job)
    frame = panel.frames["published"]
    see.call(lambda: panel.controls.inspect.setChecked(True))
    box = _js(
        see,
        frame,
        ADDRESS_POINT,
    )
    box = json.loads(box)
    from PySide6.QtCore import QPoint

    zoom = frame.scale
    see.call(lambda: frame.pick(QPoint(round(box[0] * zoom), round(box[1] * zoom))))
    see.wait(lambda: "Job addresses" in panel.inspector.text())
    text = panel.inspector.text()
    assert "published policy" in text and "visibility:jobs.address" in text
    screenshot(window, "preview-inspector")
    see.call(lambda: panel._follow("visibility:jobs.address"))
    assert window.current_panel_key() == "visibility"


def test_used_or_expired_links_and_sessions_reopen_by_themselves(see: Harness) -> None:
    _window, panel = _preview(see)
    contact = _contact(see, panel)
    see.call(lambda: panel.show_contact(contact))
    _loaded(see, panel, "published", "/")
    frame = panel.frames["published"]
    # The preview session ends (an hour passed): the next page reopens with a fresh link.
    with see.app.state.sessionmaker() as db:
        db.execute(
            update(PortalSession)
            .where(PortalSession.preview_by_id.is_not(None))
            .values(revoked_at=PortalSession.created_at)
        )
        db.commit()
    jobs = "/jobs"
    frame.run_js(f"location.href = '/p/{see.ws.slug}{jobs}'")
    _loaded(see, panel, "published", jobs)
    assert (
        not panel.controls.message.isVisible() or "could not" not in panel.controls.message.text()
    )
    # A link used twice: the panel opens a fresh one on the same page.
    link = (
        see.api("manager").post("/api/v1/previews", json={"contact_id": contact.id}).json()["url"]
    )
    see.api("manager").get(link)  # someone used it
    see.call(lambda: frame.open(link, see.base, f"/p/{see.ws.slug}/"))
    _loaded(see, panel, "published", jobs)


def test_back_stays_within_one_preview(see: Harness) -> None:
    _window, panel = _preview(see)
    contact = _contact(see, panel)
    see.call(lambda: panel.show_contact(contact))
    _loaded(see, panel, "published", "/")
    frame = panel.frames["published"]
    assert not panel.controls.back.isEnabled()
    frame.run_js(f"location.href = '/p/{see.ws.slug}/jobs'")
    _loaded(see, panel, "published", "/jobs")
    see.wait(lambda: panel.controls.back.isEnabled())  # Back within the same preview
    # A fresh preview (a new link and session, as for another contact) on the invoices
    # page: Back must not lead into the pages of the preview before it.
    see.call(lambda: panel.show_contact(contact, "/invoices"))
    _loaded(see, panel, "published", "/invoices")
    assert frame.view.history().count() == 1
    assert not panel.controls.back.isEnabled()


def test_deleted_contact_and_server_gone_get_a_plain_message(see: Harness) -> None:
    window, panel = _preview(see)
    contact = _contact(see, panel)
    see.call(lambda: panel.show_contact(contact))
    _loaded(see, panel, "published", "/")
    with see.app.state.sessionmaker() as db:
        db.delete(db.get(Contact, contact.id))
        db.commit()
    see.call(panel.reload)
    see.wait(lambda: "no longer in this workspace" in panel.controls.message.text())
    screenshot(window, "preview-error")
    # Another workspace's contact is refused the same way.
    from tests.server.portal.fixtures import make_customer
    from tests.support.workspaces import make_workspace

    other = make_workspace(see.app.state.sessionmaker, see.base)
    theirs = make_customer(see.app.state.sessionmaker, other.id, other.slug)
    from app.previews import Contact as PreviewContact

    see.call(
        lambda: panel.show_contact(
            PreviewContact(theirs.contact_id, "x", None, theirs.customer_id, "x", None)
        )
    )
    see.wait(lambda: "no longer in this workspace" in panel.controls.message.text())
    other.close()
    # The server going away mid-preview: the panel says so and offers to try again.
    panel.ctx.api.base_url = "http://127.0.0.1:9"  # nothing listens there
    frame = panel.frames["published"]
    frame.run_js("location.href = 'http://127.0.0.1:9/p/x/'")
    see.wait(lambda: "stopped answering" in panel.controls.message.text())
    assert panel.controls.try_again.isVisibleTo(panel)


def test_coming_soon_page_when_not_live(see_server, qapp, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from tests.ui.customers_see_harness import make_harness

    for see in make_harness(see_server, qapp, tmp_path, status="coming_soon"):
        window, panel = _preview(see)
        assert panel.controls.coming_soon.isVisibleTo(panel)
        contact = _contact(see, panel)
        see.call(lambda: panel.controls.coming_soon.setChecked(True))
        see.call(lambda: panel.show_contact(contact))
        _loaded(see, panel, "published", "/")
        assert "Fix the boiler" not in _js(
            see, panel.frames["published"], "document.body.textContent"
        )
        screenshot(window, "preview-coming-soon")


def test_panels_rebuilt_with_previews_open_close_cleanly(see: Harness) -> None:
    window, panel = _preview(see)
    contact = _contact(see, panel)
    see.call(lambda: panel.show_contact(contact))
    _loaded(see, panel, "published", "/")
    # Another workspace (or the same one again) opens: the window deletes every panel.
    context = window.context
    see.call(lambda: window.open_workspace(context))
    see.loop.run_until_complete(asyncio.sleep(0.5))
    assert window.panels.get("preview") is not panel  # the old one was deleted, no crash


def test_preview_as_from_a_customers_detail_in_access(see: Harness) -> None:
    # A second contact of the customer, never invited: previewed as they will see it.
    with see.app.state.sessionmaker() as db:
        newcomer = Contact(
            workspace_id=see.ws.id,
            customer_id=see.customer.customer_id,
            name="Robin Newcomer",
            email="robin.newcomer@example.net",
            email_normalized="robin.newcomer@example.net",
        )
        db.add(newcomer)
        db.commit()
        newcomer_id = newcomer.id
    window = see.window("dispatcher")
    see.call(lambda: window.select_panel("access"))
    access = window.panels["access"]
    # The harness customer was written straight to the database (not through the change
    # feed), so it is not in the list: open its detail as picking its row would.
    access.shown_id = see.customer.customer_id
    see.run(access._show(see.customer.customer_id))
    see.wait(lambda: newcomer_id in access.detail.cards)
    button = access.detail.cards[newcomer_id].buttons["preview"]
    assert button.isEnabled() and "once invited" in button.toolTip()
    screenshot(window, "access-preview-as")
    see.call(button.click)
    assert window.current_panel_key() == "preview"
    panel = window.panels["preview"]
    _loaded(see, panel, "published", "/")
    assert panel.contact is not None and panel.contact.id == newcomer_id
    chosen = panel.controls.contacts.currentData()
    assert chosen.id == newcomer_id and panel.controls.customers.count() == 1
    assert "not invited yet" in panel.controls.who_note.text()
    assert panel.controls.who_note.isVisibleTo(panel)
    assert "Robin Newcomer" in _js(see, panel.frames["published"], "document.body.textContent")
    see.call(lambda: screenshot(window, "preview-as-newcomer"))
    # The next contact in the picker gets its link ahead of time; switching there uses it
    # (no new preview session is made), and the preview is audited once it is opened.
    dana = see.customer.contact_id
    see.wait(lambda: any(o.contact_id == dana for o in panel.prefetch.links))
    sessions = _preview_sessions(see, dana)
    assert _audited(see, dana) == 0
    box = panel.controls.contacts
    see.call(
        lambda: box.setCurrentIndex(
            next(i for i in range(box.count()) if box.itemData(i).id == dana)
        )
    )
    see.call(panel._on_contact)
    _loaded(see, panel, "published", "/")
    assert (_preview_sessions(see, dana), _audited(see, dana)) == (sessions, 1)
    # Back in Access, the contact with an account: the note goes, their own page shows.
    see.call(lambda: window.select_panel("access"))
    see.call(lambda: access.detail.cards[see.customer.contact_id].buttons["preview"].click())
    see.wait(lambda: panel.contact is not None and panel.contact.id == see.customer.contact_id)
    _loaded(see, panel, "published", "/")
    assert not panel.controls.who_note.isVisibleTo(panel)
    assert "Hello, Dana Whitfield" in _js(
        see, panel.frames["published"], "document.body.textContent"
    )
    window.resize(900, 700)
    screenshot(window, "preview-as-narrow")
    assert see.errors == []


def _preview_sessions(see: Harness, contact_id: int) -> int:
    """Preview sessions made for one contact (with a portal account)."""
    with see.app.state.sessionmaker() as db:
        return len(
            db.scalars(
                select(PortalSession)
                .join(PortalAccount, PortalAccount.id == PortalSession.account_id)
                .where(
                    PortalAccount.contact_id == contact_id,
                    PortalSession.preview_by_id.is_not(None),
                )
            ).all()
        )


def _audited(see: Harness, contact_id: int) -> int:
    with see.app.state.sessionmaker() as db:
        return len(
            db.scalars(
                select(AuditEvent).where(
                    AuditEvent.action == "staff.preview", AuditEvent.contact_id == contact_id
                )
            ).all()
        )
