"""Going live with many held invites, against sending the same invites on a live portal.

While a portal is coming soon, invites are held; the workspace PATCH that switches it to active
answers at once, and a background sender sends them in batches of their own transactions. Two
figures: how long the go-live request itself takes (an absolute target: it must not grow with
the number of held invites), and how long until the last held invite is sent, against the
baseline of the bulk invite of as many contacts on an active portal (the same emails queued,
links made and events written), measured in the same run on the same database. Both databases.
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path
from typing import Any

from server.app import create_app
from server.db import migrate
from server.settings import Settings
from server.wire.rollout import BLOCKING_ITEMS
from tests.support.databases import temporary_database
from tests.support.live_server import free_port, serve_in_thread
from tests.support.workspaces import TestWorkspace, make_workspace

CONTACTS = 1000
TARGET = 1.5
REQUEST_TARGET = 1.0  # seconds for the go-live request, however many invites are held


def _seed(ws: TestWorkspace) -> list[int]:
    customers = [{"external_id": f"c{i}", "name": f"Customer {i:04d}"} for i in range(CONTACTS)]
    contacts = [
        {
            "external_id": f"p{i}",
            "customer_external_id": f"c{i}",
            "name": f"Contact {i:04d}",
            "email": f"contact{i}@example.com",
            "is_primary": True,
        }
        for i in range(CONTACTS)
    ]
    c = ws.client("owner")
    for start in range(0, CONTACTS, 500):
        r = c.post(
            "/api/v1/records/batch",
            json={
                "customers": customers[start : start + 500],
                "contacts": contacts[start : start + 500],
            },
            timeout=600,
        )
        r.raise_for_status()
    ids: list[int] = []
    cursor = None
    while True:
        params: dict[str, Any] = {"limit": 500}
        if cursor:
            params["cursor"] = cursor
        page = c.get("/api/v1/customers", params=params, timeout=60).json()
        ids += [row["primary_contact_id"] for row in page["data"]]
        cursor = page["next_cursor"]
        if not cursor:
            return ids


def _bulk(ws: TestWorkspace, ids: list[int]) -> float:
    c = ws.client("owner")
    start = time.perf_counter()
    for part in range(0, len(ids), 500):
        r = c.post(
            "/api/v1/portal-invites/bulk",
            json={"contact_ids": ids[part : part + 500], "dry_run": False},
            timeout=300,
        )
        r.raise_for_status()
    return time.perf_counter() - start


def _go_live(ws: TestWorkspace) -> tuple[float, float]:
    """Seconds until the go-live request answered, and until the last held invite was sent."""
    c = ws.client("owner")
    tag = c.get("/api/v1/workspace").headers["etag"]
    start = time.perf_counter()
    r = c.patch(
        "/api/v1/workspace",
        json={"portal_status": "active", "acknowledged_open_items": sorted(BLOCKING_ITEMS)},
        headers={"If-Match": tag},
        timeout=600,
    )
    r.raise_for_status()
    answered = time.perf_counter() - start
    while c.get("/api/v1/workspace/held-invites").json()["waiting"]:
        time.sleep(0.02)
    return answered, time.perf_counter() - start


def run(report: Any) -> None:
    """Go-live time with held invites vs the bulk invite of as many contacts, per database."""
    for backend in ("sqlite", "postgresql"):
        with (
            tempfile.TemporaryDirectory() as folder,
            temporary_database(backend, Path(folder)) as url,
        ):
            port = free_port()
            settings = Settings(
                database_url=url,
                public_base_url=f"http://127.0.0.1:{port}",
            )
            app = create_app(settings)
            migrate.upgrade(app.state.engine)
            with serve_in_thread(app, port) as base:
                live = make_workspace(app.state.sessionmaker, base)
                held = make_workspace(app.state.sessionmaker, base, portal_status="coming_soon")
                try:
                    report(f"{backend}: seeding {CONTACTS:,} contacts twice")
                    baseline = _bulk(live, _seed(live))
                    _bulk(held, _seed(held))
                    answered, going_live = _go_live(held)
                finally:
                    live.close()
                    held.close()
            app.state.engine.dispose()
        report.figure(
            f"go-live request with {CONTACTS:,} held invites ({backend})",
            f"{answered:.2f} s",
            "-",
            None,
            f"<= {REQUEST_TARGET:.0f} s",
            answered <= REQUEST_TARGET,
        )
        ratio = going_live / baseline
        report.figure(
            f"go live until all {CONTACTS:,} held invites are sent ({backend})",
            f"{going_live:.2f} s",
            f"{baseline:.2f} s bulk invite of {CONTACTS:,} on a live portal",
            ratio,
            f"<= {TARGET}x",
            ratio <= TARGET,
        )
