"""Bare baselines: the same rows the API serves, read with hand-written SQL through the driver.

No web framework, no ORM, no SQLAlchemy: a DBAPI cursor (sqlite3 or psycopg), the SQL a
careful person would write for the same answer, and for the feed orjson encoding. The API
is then judged by how close it comes to this floor on the same machine in the same run.
"""

from __future__ import annotations

import time
from datetime import datetime
from typing import Any

import orjson
from sqlalchemy.sql.elements import Label

from server.db.base import utcnow
from server.domain.changes_compact import COMPACT
from server.domain.customers import ROW_COLUMNS, search_terms
from tests.benchmarks.harness import LiveServer

_STATUS_SQL = {
    "invited": "access_status = 'invited' AND access_invite_expires_at > {now}",
    "invite_expired": "access_status = 'invited' AND "
    "(access_invite_expires_at IS NULL OR access_invite_expires_at <= {now})",
    "active": "access_status = 'active' AND "
    "(access_locked_until IS NULL OR access_locked_until <= {now})",
    "locked": "access_status = 'active' AND access_locked_until > {now}",
}


def _like(term: str) -> str:
    return "%" + term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


class BareSearch:
    """One page of the customer list (and its count) straight from the database."""

    def __init__(self, srv: LiveServer) -> None:
        self.srv = srv
        self.conn = srv.driver()
        self.sqlite = srv.backend == "sqlite"
        self.mark = "?" if self.sqlite else "%s"
        self.columns = ", ".join(c.name for c in ROW_COLUMNS)
        cur = self.conn.cursor()
        if self.sqlite:
            cur.execute("SELECT 1 FROM sqlite_master WHERE name = 'customer_fts'")
            self.fts = cur.fetchone() is not None
        else:
            self.fts = False

    def _now(self) -> Any:
        now: datetime = utcnow()
        # SQLite holds timestamps as text in this layout; PostgreSQL takes the datetime.
        return now.strftime("%Y-%m-%d %H:%M:%S.%f") if self.sqlite else now

    def page(self, q: str | None, status: str | None, limit: int = 50) -> tuple[list[int], int]:
        """Ids of the first page in name order, and how many match in all."""
        m = self.mark
        terms = search_terms(q)
        where: list[str] = []
        params: list[Any] = []
        long_terms = [t for t in terms if len(t) >= 3]
        if self.fts and long_terms:
            where += [
                "workspace_id + 0 = " + m,
                f"id IN (SELECT rowid FROM customer_fts WHERE customer_fts MATCH {m})",
            ]
            params += [self.srv.workspace_id, " AND ".join(f'"{t}"' for t in long_terms)]
            terms = [t for t in terms if len(t) < 3]
        else:
            where.append("workspace_id = " + m)
            params.append(self.srv.workspace_id)
        for t in terms:
            where.append(f"search_text LIKE {m} ESCAPE '\\'")
            params.append(_like(t))
        if status in _STATUS_SQL:
            sql = _STATUS_SQL[status]
            where.append(sql.format(now=m))
            params += [self._now()] * sql.count("{now}")
        elif status:
            where.append("access_status = " + m)
            params.append(status)
        cond = " AND ".join(where)
        order = "sort_name || ''" if search_terms(q) and not self.sqlite else "sort_name"
        cur = self.conn.cursor()
        cur.execute(f"SELECT count(*) FROM customer WHERE {cond}", params)
        count = cur.fetchone()[0]
        cur.execute(
            f"SELECT {self.columns} FROM customer WHERE {cond} "
            f"ORDER BY {order}, id LIMIT {limit + 1}",
            params,
        )
        rows = cur.fetchall()
        return [r[0] for r in rows[:limit]], count

    def close(self) -> None:
        """Close the connection."""
        self.conn.close()


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
