"""The customer search is planned for what it searches: PostgreSQL sees the words and the
status of each search, not one generic plan for any of them (the engine's default), and the
connection goes back to the pool with that default. Results and their order stay the same."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import orjson
import pytest
from sqlalchemy import Engine, event, text
from sqlalchemy.orm import Session, sessionmaker

from server.db.engine import make_engine, make_read_sessionmaker, make_sessionmaker
from server.domain.customers import list_customers
from tests.server.conftest import Server
from tests.support.customers import activate, add_customer
from tests.support.workspaces import TestWorkspace

SEARCHES: list[tuple[str | None, str | None]] = [
    ("+1 360 920 3476", None),  # a phone number as typed: its digits, by words
    ("ferguson", "active"),  # a name among one status
    ("fe", None),  # the start of a name
    (None, "active"),
    (None, None),
]


@pytest.fixture
def engine(server: Server) -> Iterator[Engine]:
    """The server's kind of engine, with one connection: every session reuses it."""
    e = make_engine(server.database_url, pool_size=1)
    yield e
    e.dispose()


@pytest.fixture
def people(server: Server, ws: TestWorkspace) -> TestWorkspace:
    f = server.sessionmaker
    add_customer(f, ws.id, "Ann Ferguson", [("Ann Ferguson", "ann@example.com", "+1 360 920 3476")])
    bo = add_customer(f, ws.id, "Bo Ferguson", [("Bo Ferguson", "bo@example.com", None)])
    add_customer(f, ws.id, "Cy Ferguson", [("Cy Ferguson", "cy@example.com", None)])
    add_customer(f, ws.id, "Di Ferguson", phone="(360) 920-3476")
    activate(f, bo.contact_ids[0])
    return ws


def _names(body: bytes) -> list[str]:
    return [row["name"] for row in orjson.loads(body)["data"]]


def _plan_modes(engine: Engine, factory: sessionmaker[Session], ws_id: int) -> list[list[str]]:
    """For each search, the ``plan_cache_mode`` each of its statements ran under (on SQLite,
    the statements that set such a thing: there should be none)."""
    seen: list[str] = []

    def record(conn: Any, cursor: Any, statement: str, *_: Any) -> None:
        if conn.dialect.name != "postgresql":
            if "plan_cache_mode" in statement:
                seen.append(statement)
        elif "FROM customer" in statement:
            seen.append(cursor.connection.execute("SHOW plan_cache_mode").fetchone()[0])

    modes = []
    event.listen(engine, "before_cursor_execute", record)
    try:
        for q, status in SEARCHES:
            seen.clear()
            with factory() as s:
                list_customers(s, ws_id, q=q, portal_status=status)
                s.rollback()
            modes.append(list(seen))
    finally:
        event.remove(engine, "before_cursor_execute", record)
    return modes


def _mode_now(factory: sessionmaker[Session]) -> str:
    with factory() as s:
        mode = s.execute(text("SHOW plan_cache_mode")).scalar_one()
        s.rollback()
        return str(mode)


@pytest.mark.parametrize("session_kind", ["read", "write"])
def test_each_search_is_planned_for_its_words(
    server: Server, people: TestWorkspace, engine: Engine, session_kind: str
) -> None:
    writer = make_sessionmaker(engine)
    factory = make_read_sessionmaker(engine, writer) if session_kind == "read" else writer
    if server.backend == "sqlite":  # nothing to tell SQLite: its plans never ignore values
        assert _plan_modes(engine, factory, people.id) == [[] for _ in SEARCHES]
        return
    assert _mode_now(factory) == "force_generic_plan"  # the engine's default
    modes = _plan_modes(engine, factory, people.id)
    assert all(modes) and all(m == ["force_custom_plan"] * len(m) for m in modes), modes
    assert _mode_now(factory) == "force_generic_plan"  # and back to it for the next user


def test_search_results_are_the_same_on_every_database(
    server: Server, people: TestWorkspace, engine: Engine
) -> None:
    writer = make_sessionmaker(engine)
    read = make_read_sessionmaker(engine, writer)
    sent: list[str] = []
    event.listen(engine, "before_cursor_execute", lambda *a: sent.append(a[2]))
    expected = {
        ("+1 360 920 3476", None): ["Ann Ferguson"],  # every word: Di's has no "1"
        ("360-920-3476", None): ["Ann Ferguson", "Di Ferguson"],
        ("ferguson", "active"): ["Bo Ferguson"],
        ("fe", None): ["Ann Ferguson", "Bo Ferguson", "Cy Ferguson", "Di Ferguson"],
        (None, "active"): ["Bo Ferguson"],
    }
    for (q, status), names in expected.items():
        for factory in (read, writer):
            with factory() as s:
                assert _names(list_customers(s, people.id, q=q, portal_status=status)) == names
    # SQLite is left as it was: no setting of PostgreSQL's is sent to it.
    assert any("plan_cache_mode" in s for s in sent) == (server.backend == "postgresql")
