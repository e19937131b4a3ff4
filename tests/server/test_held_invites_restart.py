"""Held invites survive a server killed halfway through sending them: none lost, none twice.

A real ``portal-server serve`` process goes live with hundreds of held invites, sent in
small batches; it is killed (SIGKILL, nothing cleaned up) once some but not all are sent. At
that moment every invite is either sent (its email queued) or still held (no email). A new
server process carries on by itself, and in the end every contact has exactly one invite email
and one "sent" event. Both databases.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from server.db import migrate
from server.db.engine import make_engine, make_sessionmaker
from server.db.models import AuditEvent, Invite, OutboxEmail
from server.wire.rollout import BLOCKING_ITEMS
from tests.support.databases import BACKENDS, temporary_database
from tests.support.live_server import free_port
from tests.support.workspaces import make_workspace

CONTACTS = 400
BATCH = 4  # small batches: the kill lands halfway, between or inside transactions
# A pause between batches: 100 batches take seconds even on a fast disk, so the kill lands
# halfway however late this test's loop gets to look (a busy machine).
PAUSE = 0.03


@contextmanager
def _serving(database_url: str, port: int, log: Path) -> Iterator[subprocess.Popen[bytes]]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PORTAL_")}
    env["PORTAL_HELD_INVITE_BATCH"] = str(BATCH)
    env["PORTAL_HELD_INVITE_PAUSE"] = str(PAUSE)
    with log.open("ab") as out:
        proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "server.cli",
                "serve",
                "--database-url",
                database_url,
                "--port",
                str(port),
            ],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.monotonic() + 90
        while True:
            assert proc.poll() is None, log.read_text()[-3000:]
            assert time.monotonic() < deadline, "the server did not answer /healthz"
            try:
                if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=2).is_success:
                    break
            except httpx.TransportError:
                time.sleep(0.1)
        yield proc
    finally:
        if proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:  # a machine too busy to stop in time
                proc.kill()
                proc.wait(timeout=30)


def _state(factory: sessionmaker[Session], ws_id: int) -> tuple[int, Counter[int], Counter[int]]:
    """Held invites left, invite emails per customer, "sent" events per customer (every
    customer here has one contact)."""
    with factory() as s:
        held = s.scalar(
            select(func.count())
            .select_from(Invite)
            .where(Invite.workspace_id == ws_id, Invite.held)
        )
        mails = Counter(
            s.scalars(
                select(OutboxEmail.customer_id).where(
                    OutboxEmail.workspace_id == ws_id, OutboxEmail.kind == "invite"
                )
            )
        )
        events = Counter(
            s.scalars(
                select(AuditEvent.customer_id).where(
                    AuditEvent.workspace_id == ws_id, AuditEvent.action == "portal.invite_sent"
                )
            )
        )
    return int(held or 0), mails, events


def _consistent(factory: sessionmaker[Session], ws_id: int) -> None:
    """Every invite is held with no email, or sent with exactly one email that it names."""
    with factory() as s:
        invites = s.scalars(select(Invite).where(Invite.workspace_id == ws_id)).all()
        rows = s.execute(
            select(OutboxEmail.id, OutboxEmail.account_id).where(
                OutboxEmail.workspace_id == ws_id, OutboxEmail.kind == "invite"
            )
        )
        mail_of = {mail_id: account_id for mail_id, account_id in rows}
    for invite in invites:
        if invite.held:
            assert invite.outbox_id is None
            assert invite.account_id not in mail_of.values()
        else:
            assert mail_of.get(invite.outbox_id) == invite.account_id


def _primary_contacts(c: httpx.Client) -> list[int]:
    ids: list[int] = []
    params: dict[str, object] = {"limit": 500}
    while True:
        page = c.get("/api/v1/customers", params=params).json()
        ids += [row["primary_contact_id"] for row in page["data"]]
        if not page["next_cursor"]:
            return ids
        params["cursor"] = page["next_cursor"]


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_restart_halfway_loses_and_repeats_nothing(backend: str, tmp_path: Path) -> None:
    with temporary_database(backend, tmp_path) as url:
        engine = make_engine(url)
        migrate.upgrade(engine)
        factory = make_sessionmaker(engine)
        port = free_port()
        log = tmp_path / "server.log"
        base = f"http://127.0.0.1:{port}"
        try:
            with _serving(url, port, log) as first:
                ws = make_workspace(factory, base, portal_status="coming_soon")
                c = ws.client("owner")
                c.timeout = httpx.Timeout(300)
                records = {
                    "customers": [
                        {"external_id": f"c{i}", "name": f"Customer {i:04d}"}
                        for i in range(CONTACTS)
                    ],
                    "contacts": [
                        {
                            "external_id": f"p{i}",
                            "customer_external_id": f"c{i}",
                            "name": f"Contact {i:04d}",
                            "email": f"contact{i}@example.com",
                            "is_primary": True,
                        }
                        for i in range(CONTACTS)
                    ],
                }
                assert c.post("/api/v1/records/batch", json=records).status_code == 200
                ids = _primary_contacts(c)
                invited = c.post(
                    "/api/v1/portal-invites/bulk", json={"contact_ids": ids, "dry_run": False}
                ).json()
                assert invited["counts"] == {"invited": CONTACTS}
                assert c.get("/api/v1/workspace/held-invites").json()["waiting"] == CONTACTS
                tag = c.get("/api/v1/workspace").headers["etag"]
                started = time.monotonic()
                r = c.patch(
                    "/api/v1/workspace",
                    json={
                        "portal_status": "active",
                        "acknowledged_open_items": sorted(BLOCKING_ITEMS),
                    },
                    headers={"If-Match": tag},
                )
                assert r.status_code == 200, r.text
                # The request did not wait for the invites: most are still to be sent.
                assert c.get("/api/v1/workspace/held-invites").json()["waiting"] > CONTACTS // 2
                # Killed as soon as a few batches went out: most are still held then, even on
                # a busy machine where this loop looks less often.
                while (held := _state(factory, ws.id)[0]) > CONTACTS - 5 * BATCH:
                    assert time.monotonic() - started < 120, "the held invites are not going out"
                    time.sleep(0.01)
                first.send_signal(signal.SIGKILL)
                first.wait(timeout=30)
            held, mails, events = _state(factory, ws.id)
            assert 0 < held < CONTACTS, "the kill should land halfway"
            assert sum(mails.values()) == CONTACTS - held and set(mails.values()) == {1}
            assert mails == events
            _consistent(factory, ws.id)

            with _serving(url, port, log):  # a new process carries on by itself
                deadline = time.monotonic() + 120
                while c.get("/api/v1/workspace/held-invites").json()["waiting"]:
                    assert time.monotonic() < deadline, "the restarted server did not carry on"
                    time.sleep(0.05)
                ws.close()
            held, mails, events = _state(factory, ws.id)
            assert held == 0
            assert len(mails) == CONTACTS and set(mails.values()) == {1}  # each exactly once
            assert mails == events
            _consistent(factory, ws.id)
        finally:
            engine.dispose()
