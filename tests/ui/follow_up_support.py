"""Helpers for the Follow-up panel tests: a customer acting on the portal, the panel, items."""

from __future__ import annotations

import asyncio
from typing import Any

from tests.server.portal.fixtures import PNG, Browser, PortalCustomer, make_customer
from tests.ui.shell_support import Shell, until
from ui.panels.follow_up import FollowUpPanel


def portal_customer(live: Any, ws: Any) -> tuple[PortalCustomer, Browser]:
    """A customer with records whose contact is signed in to the portal."""
    customer = make_customer(live.sessionmaker, ws.id, ws.slug)
    browser = Browser(live.url, ws.slug)
    assert browser.sign_in(customer.email).status_code == 303
    return customer, browser


def approve(browser: Browser, quote_id: int, name: str = "Dana Whitfield") -> None:
    """The contact approves a quote through the portal's form."""
    r = browser.post(
        f"/quotes/{quote_id}/approve",
        {"name": name, "agree": "yes"},
        form_page=f"/quotes/{quote_id}",
    )
    assert r.status_code == 303, r.text[:300]


def request_service(
    browser: Browser, customer: PortalCustomer, text: str, photo: bool = False
) -> None:
    """The contact asks for service through the portal's form (with a photo if asked)."""
    form = {
        "description": text,
        "address_id": str(customer.ids["address"]),
        "preferred_times": "Weekday mornings",
    }
    files = [("photos", ("boiler.png", PNG, "image/png"))] if photo else None
    r = browser.post("/request", form, files=files, form_page="/request")
    assert r.status_code == 303, r.text[:300]


async def open_panel(shell: Shell) -> FollowUpPanel:
    """Open the Follow-up panel and wait until its inbox has loaded."""
    shell.window.select_panel("follow_up")
    panel = shell.window.panels["follow_up"]
    assert isinstance(panel, FollowUpPanel)
    await until(lambda: panel.loaded, 20)
    return panel


async def settled(panel: FollowUpPanel) -> None:
    """Wait until the panel's work is done."""
    await until(lambda: not panel.ctx.ops.tasks or _only_sync(panel), 20)


def _only_sync(panel: FollowUpPanel) -> bool:
    return all(t.get_name() in ("Checking follow-ups",) for t in panel.ctx.ops.tasks)


async def shot(shell: Shell, name: str, widget: Any = None) -> None:
    """A screenshot once the layout has caught up with the last change."""
    await asyncio.sleep(0.15)
    shell.screenshot(name, widget)


def staff_id(ws: Any, role: str) -> int:
    """The staff member's id, as the server knows it."""
    return int(ws.client(role).get("/api/v1/auth/me").json()["id"])


def sidebar_text(shell: Shell, key: str = "follow_up") -> str:
    """The text of a sidebar entry."""
    from PySide6.QtCore import Qt

    bar = shell.window.sidebar
    for i in range(bar.count()):
        if bar.item(i).data(Qt.ItemDataRole.UserRole) == key:
            return str(bar.item(i).text())
    raise AssertionError(f"no sidebar entry {key}")


async def choose(panel: FollowUpPanel, item_id: int) -> dict[str, Any]:
    """Choose an item's row and answer the item the detail pane shows."""
    await until(lambda: panel.model.row_of_item(item_id) is not None, 15)
    row = panel.model.row_of_item(item_id)
    assert row is not None
    panel.table.selectRow(row)
    await until(lambda: panel.shown_id == item_id, 5)
    assert panel.detail.item is not None
    return panel.detail.item
