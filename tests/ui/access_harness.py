"""A live server, a seeded workspace and an Access panel wired like the console wires it.

Tests drive the qasync loop with ``harness.run(coro)``; anything that starts a task (a click
on an action button) goes through ``harness.click`` so it happens inside the running loop.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
import qasync
from PySide6.QtCore import QCoreApplication, QSettings
from PySide6.QtWidgets import QWidget

from app.api_client import ApiClient, make_http_client
from app.cache import Cache
from app.config import Config
from app.session import StaffSession
from app.sync import SyncEngine
from server.app import create_app
from server.db import migrate
from server.db.models import PortalAccount, Workspace
from server.domain.portal_auth import touch_account_summary
from server.settings import Settings
from server.wire.rollout import BLOCKING_ITEMS
from tests.support.databases import temporary_database
from tests.support.live_server import free_port, serve_in_thread
from tests.support.workspaces import TestWorkspace, make_workspace
from tests.ui.episode_loop import EpisodeLoop
from ui.context import PanelContext
from ui.operations import Operations
from ui.panels.access import AccessPanel
from ui.resources import stylesheet

SCREENSHOTS = Path(__file__).resolve().parents[2] / "screenshots" / "console"


def fill_customers() -> list[tuple[str, str | None, str]]:
    """(customer name, primary email, phone) of the seeded workspace."""
    return [
        ("Ada Lovelace", "ada@analytical.example", "(415) 555-0101"),
        ("Grace Hopper", "grace@cobol.example", "(415) 555-0102"),
        ("Alan Turing", "alan@bletchley.example", "(415) 555-0103"),
        ("Broken Email Co", "not-an-email", "(415) 555-0104"),
        ("No Email Household", None, "(415) 555-0105"),
        ("Shared One", "family@shared.example", "(415) 555-0106"),
        ("Shared Two", "family@shared.example", "(415) 555-0107"),
        *[
            (f"Pilot Customer {i}", f"pilot{i}@example.com", f"(415) 555-02{i:02d}")
            for i in range(8)
        ],
    ]


def seed(ws: TestWorkspace) -> None:
    """Customers, contacts and, for the pilot customers, several jobs in the last year."""
    customers, contacts, jobs = [], [], []
    now = datetime.now(UTC)
    for i, (name, email, phone) in enumerate(fill_customers()):
        customers.append(
            {
                "external_id": f"c{i}",
                "name": name,
                "phone": phone,
                "addresses": [
                    {"line1": f"{i + 1} Main St", "city": "Springfield", "postcode": "62701"}
                ],
            }
        )
        contacts.append(
            {
                "external_id": f"p{i}",
                "customer_external_id": f"c{i}",
                "name": name if " Co" not in name else "Bob Broken",
                "email": email,
                "phone": phone,
                "is_primary": True,
            }
        )
        if name.startswith("Pilot") and int(name[-1]) < 5:
            for j in range(3):
                jobs.append(
                    {
                        "external_id": f"j{i}-{j}",
                        "customer_external_id": f"c{i}",
                        "number": f"J{i}{j}",
                        "title": "Service visit",
                        "internal_status": "completed",
                        "completed_at": (now - timedelta(days=30 * (j + 1))).isoformat(),
                    }
                )
    answer = ws.client("owner").post(
        "/api/v1/records/batch", json={"customers": customers, "contacts": contacts, "jobs": jobs}
    )
    assert answer.status_code < 300, answer.text


def click(button: Any) -> None:
    """Click a button (for buttons whose slot starts no task)."""
    button.click()


async def until(pred: Callable[[], Any], within: float = 30.0) -> Any:
    """Wait, letting the loop run, until ``pred()`` is truthy."""
    deadline = time.monotonic() + within
    while True:
        value = pred()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError("condition not met in time")
        await asyncio.sleep(0.02)


def screenshot(widget: QWidget, name: str, size: tuple[int, int] = (1280, 760)) -> Path:
    """Save a picture of a widget (git-ignored folder) for a person to look at."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    if widget.isWindow() and size:
        widget.resize(*size) if widget.width() < 200 else None
    widget.show()
    # Let pending layout and resize events land first, or the picture shows a half-laid-out
    # widget (posted events only: no timers or sockets run outside the loop).
    for _ in range(3):
        QCoreApplication.sendPostedEvents()
    path = SCREENSHOTS / f"access-{name}.png"
    widget.grab().save(str(path))
    return path


class Harness:
    """One workspace on the live server, panels for any role, and a qasync loop."""

    def __init__(self, app: Any, base: str, loop: qasync.QEventLoop, tmp: Path) -> None:
        self.app, self.base, self.loop, self.tmp = app, base, loop, tmp
        self.ws = make_workspace(app.state.sessionmaker, base)
        seed(self.ws)
        self.errors: list[str] = []
        self.http: list[httpx.AsyncClient] = []
        self.contexts: list[PanelContext] = []
        self.panels: list[AccessPanel] = []

    def run(self, coro: Any, settle: bool = True) -> Any:
        """Run a coroutine on the qasync loop until it and every task it started finish.

        Tasks must not be left half-way: outside ``run`` the loop is not running, and a task
        step woken by Qt then would find no event loop.
        """

        async def go() -> Any:
            result = await coro
            if settle:
                # Quiet for a while, not just for an instant: work that a finished task sets
                # off (a refresh, the index rebuild timer) must also run inside the loop.
                for _ in range(3):
                    await until(self._quiet, 30)
                    await asyncio.sleep(0.1)
                await until(self._quiet, 30)
            return result

        return self.loop.run_until_complete(go())

    def _quiet(self) -> bool:
        if any(ctx.ops.tasks for ctx in self.contexts):
            return False
        for panel in self.panels:
            loading = panel.loading
            if panel._rebuild_timer.isActive() or (loading is not None and not loading.done()):
                return False
        return True

    def click(self, button: Any) -> None:
        """Click inside the running loop (the slot may start a task), then let it start."""

        async def go() -> None:
            button.click()
            await asyncio.sleep(0.01)

        self.run(go())

    def call(self, fn: Callable[[], Any]) -> Any:
        """Call something that starts a task, inside the running loop."""

        async def go() -> Any:
            return fn()

        return self.run(go())

    def api(self, role: str) -> httpx.Client:
        """A plain synchronous client signed in as ``role`` (to arrange things)."""
        return self.ws.client(role)

    def panel(self, role: str) -> AccessPanel:
        """An Access panel for ``role`` over a freshly synced cache, with rows loaded."""

        async def build() -> AccessPanel:
            http = make_http_client()
            self.http.append(http)
            api = ApiClient(self.base, http, self.ws.tokens[role])
            session = StaffSession.from_me(self.base, await api.me())
            cache = Cache(self.tmp / f"cache-{role}-{len(self.contexts)}.sqlite")
            sync = SyncEngine(api, cache)
            await sync.sync_now()
            ops = Operations()
            ops.failed.connect(lambda message, _retry: self.errors.append(message))
            settings = QSettings(str(self.tmp / "console.ini"), QSettings.Format.IniFormat)
            ctx = PanelContext(
                api, session, cache, sync, ops, Config(self.tmp / "s.json"), settings
            )
            self.contexts.append(ctx)
            panel = AccessPanel(ctx)
            panel.setStyleSheet(stylesheet())  # as inside the main window
            self.panels.append(panel)
            panel.resize(1280, 760)
            await until(lambda: len(panel.model.index_) == len(fill_customers()))
            await until(lambda: panel.model.rowCount() == len(fill_customers()))
            return panel

        return self.run(build())

    def customer_id(self, name: str) -> int:
        """The id of a seeded customer."""
        page = self.api("owner").get("/api/v1/customers", params={"q": name}).json()
        return int(next(c["id"] for c in page["data"] if c["name"] == name))

    def primary_contact(self, customer_id: int) -> int:
        """The id of a customer's primary contact."""
        detail = self.api("owner").get(f"/api/v1/customers/{customer_id}").json()
        return int(detail["primary_contact_id"])

    def open_customer(self, panel: AccessPanel, customer_id: int) -> None:
        """Pick a customer in the table and wait for its details."""
        row = panel.model.row_of_customer(customer_id)
        assert row is not None

        async def go() -> None:
            panel.detail.customer = None
            if panel.list.current_customer_id() == customer_id:
                panel.show_customer(customer_id)  # picking the same row again reloads it
            else:
                panel.list.select_row(row)
            await until(lambda: (panel.detail.customer or {}).get("id") == customer_id)
            await until(lambda: panel.detail.timeline.count() > 0)

        self.run(go())

    def make_active_and_locked(self, contact_id: int) -> None:
        """Arrange an active account locked after five wrong passwords."""
        with self.app.state.sessionmaker() as db:
            account = db.query(PortalAccount).filter_by(contact_id=contact_id).one()
            account.status = "active"
            account.password_hash = "x"
            account.failed_attempts = 5
            account.locked_until = datetime.now(UTC) + timedelta(minutes=30)
            touch_account_summary(db, account)
            db.commit()

    def set_portal_status(self, status: str) -> None:
        """Switch the workspace's portal (coming_soon or active) through the staff API."""
        c = self.api("owner")
        tag = c.get("/api/v1/workspace").headers["etag"]
        body: dict[str, Any] = {"portal_status": status}
        if status == "active":  # open checklist items are acknowledged by name
            body["acknowledged_open_items"] = sorted(BLOCKING_ITEMS)
        r = c.patch("/api/v1/workspace", json=body, headers={"If-Match": tag})
        assert r.status_code == 200, r.text
        # Held invites go out in the background after a go-live: wait until they all have.
        deadline = time.monotonic() + 60
        while c.get("/api/v1/workspace/held-invites").json()["waiting"]:
            assert time.monotonic() < deadline, "held invites were not sent"
            time.sleep(0.05)

    def add_contacts(self, contacts: list[dict[str, Any]]) -> None:
        """More contacts for seeded customers (``customer_external_id`` c0, c1, ...)."""
        r = self.api("owner").post("/api/v1/records/batch", json={"contacts": contacts})
        assert r.status_code < 300, r.text

    def set_role_permissions(self, role: str, permissions: list[str]) -> None:
        """Narrow what a role may do in this workspace."""
        with self.app.state.sessionmaker() as db:
            ws = db.get(Workspace, self.ws.id)
            assert ws is not None
            ws.permissions = {**(ws.permissions or {}), role: permissions}
            db.commit()

    def close(self) -> None:
        """Stop every task, close clients and caches."""

        async def stop() -> None:
            for ctx in self.contexts:
                await ctx.ops.shutdown()
                ctx.cache.close()
            for http in self.http:
                await http.aclose()

        self.run(stop())
        self.ws.close()


@pytest.fixture(scope="module", name="access_server")
def access_server_fixture(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Any, str]]:
    """A live portal server on SQLite for this test module."""
    folder = tmp_path_factory.mktemp("access-ui")
    with temporary_database("sqlite", folder) as url:
        port = free_port()
        settings = Settings(database_url=url, public_base_url=f"http://127.0.0.1:{port}")
        app = create_app(settings)
        migrate.upgrade(app.state.engine)
        with serve_in_thread(app, port) as base:
            yield app, base
        app.state.engine.dispose()


@pytest.fixture(name="harness")
def harness_fixture(access_server: tuple[Any, str], qapp: Any, tmp_path: Path) -> Iterator[Harness]:
    """A fresh workspace and a qasync loop for one test."""
    loop = EpisodeLoop(qapp)
    asyncio.set_event_loop(loop)
    h = Harness(access_server[0], access_server[1], loop, tmp_path)
    try:
        yield h
    finally:
        h.close()
        loop.close()
        asyncio.set_event_loop(None)
