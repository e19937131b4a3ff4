"""Records that point at a customer being deleted at the same moment: a clear 422, never a
foreign-key failure (500). On PostgreSQL the look-up of the customer keeps it from being
deleted until the record is written; a delete already under way is waited for."""

from __future__ import annotations

import threading
import time

import httpx
from sqlalchemy import delete, text

from server.db.models import Customer
from tests.server.conftest import Server
from tests.server.records_support import customer_body, put
from tests.support.workspaces import TestWorkspace

QUOTE = {
    "customer_external_id": "C-1",
    "number": "Q1",
    "title": "Boiler",
    "lines": [{"description": "Work", "unit_price_cents": 1000}],
}


def _until_the_quote_waits(server: Server) -> None:
    """On PostgreSQL, until the quote's request waits on the delete's lock; on SQLite (whose
    writers take turns) a moment."""
    if server.backend != "postgresql":
        time.sleep(1.0)
        return
    waiting = text(
        "SELECT count(*) FROM pg_stat_activity "
        "WHERE datname = current_database() AND wait_event_type = 'Lock'"
    )
    deadline = time.monotonic() + 30
    with server.app.state.engine.connect() as conn:
        while time.monotonic() < deadline and not conn.execute(waiting).scalar():
            time.sleep(0.05)
            conn.rollback()


def test_a_quote_for_a_customer_deleted_meanwhile(server: Server, ws: TestWorkspace) -> None:
    assert put(ws.client(), "customers", "C-1", customer_body()).status_code == 201
    answer: dict[str, httpx.Response] = {}

    def send_quote() -> None:
        headers = {"Authorization": f"Bearer {ws.tokens['manager']}"}
        with httpx.Client(base_url=server.url, headers=headers, timeout=60) as c:
            answer["quote"] = put(c, "quotes", "Q-1", QUOTE)

    with server.sessionmaker() as s:
        s.execute(delete(Customer).where(Customer.workspace_id == ws.id))
        s.flush()  # the delete holds its locks; the quote arrives while it is uncommitted
        sender = threading.Thread(target=send_quote)
        sender.start()
        _until_the_quote_waits(server)
        s.commit()
    sender.join(timeout=60)
    r = answer["quote"]
    assert r.status_code == 422, r.text
    assert "customer_external_id" in r.json()["errors"]
    assert ws.client().get("/api/v1/customers").status_code == 200
