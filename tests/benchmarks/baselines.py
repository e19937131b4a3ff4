"""Bare baselines: the same rows the API serves, read with hand-written SQL through the driver.

No web framework, no ORM, no SQLAlchemy at measuring time: a DBAPI cursor (sqlite3 or
psycopg) and, for search, the SQL the list itself issues; for the feed, the SELECTs a careful
person would write for the same rows, and orjson encoding. The API
is then judged by how close it comes to this floor on the same machine in the same run.
"""

from __future__ import annotations

import time
from typing import Any

import orjson
from sqlalchemy import event
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import Label

from server.db.engine import make_engine
from server.domain.changes_compact import COMPACT
from server.domain.customer_search import COUNT_CAP
from server.domain.customers import list_customers
from tests.benchmarks.harness import LiveServer


class BareSearch:
    """The very SQL the customer list runs for a query, replayed through the driver.

    The statements are captured once from ``list_customers`` itself (so the baseline always
    matches what the API asks of the database), then executed as plain DBAPI calls: what is
    left of the API's time on top is HTTP, authentication, the framework and serialisation.
    """

    def __init__(self, srv: LiveServer) -> None:
        self.srv = srv
        self.conn = srv.driver()
        self.engine = make_engine(srv.database_url, pool_size=1)
        self.captured: dict[tuple[str | None, str | None], list[tuple[str, Any]]] = {}

    def _capture(self, q: str | None, status: str | None) -> list[tuple[str, Any]]:
        statements: list[tuple[str, Any]] = []

        def grab(_c: Any, _cur: Any, statement: str, parameters: Any, *_: Any) -> None:
            if statement.lstrip().upper().startswith("SELECT") and "sqlite_master" not in statement:
                statements.append((statement, parameters))

        event.listen(self.engine, "before_cursor_execute", grab)
        try:
            with Session(self.engine) as session:
                list_customers(session, self.srv.workspace_id, q=q, portal_status=status)
        finally:
            event.remove(self.engine, "before_cursor_execute", grab)
        return statements

    def page(self, q: str | None, status: str | None) -> tuple[list[int], int]:
        """Ids of the first page in name order, and how many match in all."""
        key = (q, status)
        if key not in self.captured:
            self.captured[key] = self._capture(q, status)
        cur = self.conn.cursor()
        count, ids = -1, []
        for statement, parameters in self.captured[key]:
            cur.execute(statement, parameters)
            rows = cur.fetchall()
            if "count(" in statement.lower():
                count = rows[0][0]
            else:
                ids = [r[0] for r in rows[:50]]
        if q or status:  # a search or filter reports its count up to the cap
            count = min(count, COUNT_CAP)
        return ids, count

    def close(self) -> None:
        """Close the connections."""
        self.conn.close()
        self.engine.dispose()


class BareChanges:
    """The changes feed from cursor 0, page by page, as one SELECT per entity and orjson."""

    def __init__(self, srv: LiveServer, page: int) -> None:
        self.srv = srv
        self.page_size = page
        self.conn = srv.driver()
        m = "?" if srv.backend == "sqlite" else "%s"
        self.head = (
            f"SELECT seq, entity, entity_id, op FROM change "
            f"WHERE workspace_id = {m} AND seq > {m} ORDER BY seq LIMIT {m}"
        )
        self.queries: dict[str, tuple[str, list[str]]] = {}
        for entity, (model, cols) in COMPACT.items():
            scope = "t.id" if model.__tablename__ == "workspace" else "t.workspace_id"
            # A labelled column (sent under another name) is read by its own column name.
            names = [c.element.name if isinstance(c, Label) else c.name for c in cols]
            select = ", ".join(f"t.{n}" for n in names)
            self.queries[entity] = (
                f"SELECT {select} FROM {model.__tablename__} t "
                f"JOIN change c ON c.entity_id = t.id AND c.entity = {m} "
                f"WHERE c.workspace_id = {m} AND c.seq > {m} AND c.seq <= {m} "
                f"AND c.op = 'upsert' AND {scope} = {m}",
                [c.key for c in cols],
            )

    def read(self, pages: int | None = None) -> tuple[int, float]:
        """Rows read and seconds taken, from the start to the end (or ``pages`` pages)."""
        ws = self.srv.workspace_id
        since, total, done = 0, 0, 0
        start = time.perf_counter()
        cur = self.conn.cursor()
        while pages is None or done < pages:
            cur.execute(self.head, (ws, since, self.page_size + 1))
            rows = cur.fetchall()
            has_more = len(rows) > self.page_size
            rows = rows[: self.page_size]
            last = rows[-1][0] if rows else since
            found: dict[str, dict[int, dict[str, Any]]] = {}
            for entity in {e for _, e, _, op in rows if op == "upsert" and e in self.queries}:
                sql, keys = self.queries[entity]
                cur.execute(sql, (entity, ws, since, last, ws))
                found[entity] = {r[0]: dict(zip(keys, r, strict=True)) for r in cur.fetchall()}
            data = [
                {"seq": s, "entity": e, "id": i, "op": op, "data": found.get(e, {}).get(i)}
                for s, e, i, op in rows
            ]
            orjson.dumps(
                {"data": data, "count": len(data), "next_cursor": str(last), "has_more": has_more},
                option=orjson.OPT_UTC_Z,
            )
            total += len(data)
            since = last
            done += 1
            if not has_more:
                break
        return total, time.perf_counter() - start

    def close(self) -> None:
        """Close the connection."""
        self.conn.close()
