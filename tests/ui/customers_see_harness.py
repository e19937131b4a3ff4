"""A live server, a workspace with a customer and files, and the "What customers see" panels
inside a real main window, wired as the console wires them.

Tests drive the qasync loop with ``harness.run(coro)`` as the Access harness does.
"""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import qasync
from PySide6.QtCore import QSettings

from app.api_client import ApiClient, make_http_client
from app.cache import Cache
from app.config import Config
from app.session import StaffSession
from app.sync import SyncEngine
from server.app import create_app
from server.db import migrate
from server.db.base import utcnow
from server.db.models import Document, Photo, StoredFile
from server.settings import Settings
from tests.server.portal.fixtures import PortalCustomer, make_customer
from tests.support.databases import temporary_database
from tests.support.live_server import free_port, serve_in_thread
from tests.support.workspaces import TestWorkspace, make_workspace
from tests.ui.access_harness import until
from tests.ui.episode_loop import EpisodeLoop
from ui.context import PanelContext
from ui.main_window import MainWindow
from ui.operations import Operations

SCREENSHOTS = Path(__file__).resolve().parents[2] / "screenshots" / "console"


def one_page_pdf(text: str = "Boiler service report") -> bytes:
    """A small valid PDF with one page of text (as the CRM would send a report)."""
    stream = f"BT /F1 24 Tf 72 700 Td ({text}) Tj ET".encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length " + str(len(stream)).encode() + b" >>\nstream\n" + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = b"%PDF-1.4\n"
    offsets = []
    for i, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{i} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{o:010d} 00000 n \n".encode() for o in offsets)
    out += (
        f"trailer << /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    )
    return out


def photo_png(colour: tuple[int, int, int] = (47, 93, 138)) -> bytes:
    """A small PNG photo."""
    import io

    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", (320, 200), colour).save(buf, "PNG")
    return buf.getvalue()


class Harness:
    """One workspace on the live server, a main window per role, and a qasync loop."""

    def __init__(
        self, app: Any, base: str, loop: qasync.QEventLoop, tmp: Path, status: str
    ) -> None:
        self.app, self.base, self.loop, self.tmp = app, base, loop, tmp
        self.ws: TestWorkspace = make_workspace(app.state.sessionmaker, base, portal_status=status)
        self.customer: PortalCustomer = make_customer(
            app.state.sessionmaker, self.ws.id, self.ws.slug
        )
        self.errors: list[str] = []
        self.http: list[httpx.AsyncClient] = []
        self.contexts: list[PanelContext] = []
        self.windows: list[MainWindow] = []

    def add_pending_files(self, documents: int = 1, photos: int = 2) -> list[tuple[str, int]]:
        """Documents and photos waiting for review on the harness customer."""
        made: list[tuple[str, int]] = []
        with self.app.state.sessionmaker() as s:
            for i in range(documents + photos):
                is_doc = i < documents
                data = one_page_pdf(f"Report {i}") if is_doc else photo_png((40 * i % 255, 120, 90))
                stored = StoredFile(
                    workspace_id=self.ws.id,
                    content_type="application/pdf" if is_doc else "image/png",
                    size=len(data),
                    sha256=hashlib.sha256(data).hexdigest(),
                    data=data,
                )
                s.add(stored)
                s.flush()
                row: Document | Photo
                if is_doc:
                    row = Document(
                        workspace_id=self.ws.id,
                        customer_id=self.customer.customer_id,
                        job_id=self.customer.ids["job"],
                        title=f"Service report {i}",
                        filename=f"report-{i}.pdf",
                        file_id=stored.id,
                        created_at=utcnow(),
                    )
                else:
                    row = Photo(
                        workspace_id=self.ws.id,
                        customer_id=self.customer.customer_id,
                        job_id=self.customer.ids["job"],
                        caption=f"Photo {i}",
                        file_id=stored.id,
                        created_at=utcnow(),
                    )
                s.add(row)
                s.flush()
                made.append(("document" if is_doc else "photo", row.id))
            s.commit()
        return made

    def run(self, coro: Any) -> Any:
        """Run a coroutine on the qasync loop, then let the tasks it started finish."""

        async def go() -> Any:
            result = await coro
            for _ in range(2):
                await until(self._quiet, 120)
                await asyncio.sleep(0.1)
            return result

        return self.loop.run_until_complete(go())

    def wait(self, pred: Callable[[], Any], within: float = 30.0) -> Any:
        """Let the loop run until ``pred()`` holds."""
        return self.loop.run_until_complete(until(pred, within))

    def _quiet(self) -> bool:
        return not any(ctx.ops.tasks for ctx in self.contexts)

    def call(self, fn: Callable[[], Any]) -> Any:
        """Call something that starts a task, inside the running loop, and let it finish."""

        async def go() -> Any:
            return fn()

        return self.run(go())

    def window(self, role: str = "owner") -> MainWindow:
        """A main window signed in as ``role`` with every panel built (over a synced cache)."""

        async def build() -> MainWindow:
            http = make_http_client()
            self.http.append(http)
            api = ApiClient(self.base, http, self.ws.tokens[role])
            session = StaffSession.from_me(self.base, await api.me())
            cache = Cache(self.tmp / f"cache-{role}-{len(self.contexts)}.sqlite")
            sync = SyncEngine(api, cache)
            await sync.sync_now()
            ops = Operations()
            ops.failed.connect(lambda message, _retry: self.errors.append(message))
            settings = QSettings(str(self.tmp / f"w-{role}.ini"), QSettings.Format.IniFormat)
            ctx = PanelContext(
                api, session, cache, sync, ops, Config(self.tmp / "s.json"), settings
            )
            self.contexts.append(ctx)
            window = MainWindow(settings)
            window.resize(1400, 860)
            window.open_workspace(ctx)
            window.show()
            self.windows.append(window)
            return window

        return self.run(build())

    def api(self, role: str = "owner") -> httpx.Client:
        """A plain synchronous client signed in as ``role`` (to arrange things)."""
        return self.ws.client(role)

    def close(self) -> None:
        """Close windows, stop tasks, close clients and caches."""

        async def stop() -> None:
            for window in self.windows:
                preview = window.panels.get("preview")
                if preview is not None:
                    preview.close_frames()
                # Hidden, not closed: closing the last window would quit the application.
                window.hide()
            await asyncio.sleep(0.2)
            for ctx in self.contexts:
                await ctx.ops.shutdown()
                ctx.cache.close()
            for http in self.http:
                await http.aclose()

        self.loop.run_until_complete(stop())
        for window in self.windows:
            window.deleteLater()
        self.ws.close()


def screenshot(widget: Any, name: str) -> Path:
    """Save a picture of a widget for a person to look at (git-ignored folder)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    widget.grab().save(str(path))
    return path


@pytest.fixture(scope="module", name="see_server")
def see_server_fixture(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Any, str]]:
    """A live portal server on SQLite for this test module."""
    folder = tmp_path_factory.mktemp("customers-see-ui")
    with temporary_database("sqlite", folder) as url:
        port = free_port()
        settings = Settings(database_url=url, public_base_url=f"http://127.0.0.1:{port}")
        app = create_app(settings)
        migrate.upgrade(app.state.engine)
        with serve_in_thread(app, port) as base:
            yield app, base
        app.state.engine.dispose()


def make_harness(
    server: tuple[Any, str], qapp: Any, tmp_path: Path, status: str = "active"
) -> Iterator[Harness]:
    """A fresh workspace and a qasync loop for one test."""
    loop = EpisodeLoop(qapp)
    asyncio.set_event_loop(loop)
    h = Harness(server[0], server[1], loop, tmp_path, status)
    try:
        yield h
    finally:
        h.close()
        loop.close()
        asyncio.set_event_loop(None)


@pytest.fixture(name="see")
def see_fixture(see_server: tuple[Any, str], qapp: Any, tmp_path: Path) -> Iterator[Harness]:
    """The harness on an active portal."""
    yield from make_harness(see_server, qapp, tmp_path)
