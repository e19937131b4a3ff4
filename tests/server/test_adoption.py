"""The adoption funnel and weekly chart, for everyone and for a pilot group, against the same
numbers counted one account at a time in Python; and, on SQLite, that the chart for everyone
reads its days from the day indexes while a group's statements start from its members."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import event, select, text
from sqlalchemy.orm import Session, sessionmaker

from server.db import migrate
from server.db.engine import make_engine, make_sessionmaker
from server.db.models import (
    Customer,
    CustomerGroup,
    CustomerGroupMember,
    PortalAccount,
    Quote,
    Workspace,
)
from server.domain import adoption
from server.domain.customer_summary import refresh_customer
from server.wire.rollout import AdoptionWeek, Funnel
from tests.server.conftest import Server
from tests.support.customers import add_customer
from tests.support.databases import BACKENDS, migrated_engine, temporary_database
from tests.support.workspaces import TestWorkspace

NOW = datetime(2026, 3, 11, 15, 30, tzinfo=UTC)  # a Wednesday
DAY_INDEXES = {"ix_portal_account_created_at_day", "ix_portal_account_password_changed_at_day"}

# Per customer, its accounts as (invited, accepted, signed in) ages: days before NOW, or
# None when not yet. Around midnight UTC and Monday on purpose: the day and the week an
# account lands in is the UTC date of its timestamp.
ACCOUNTS: list[list[tuple[float, float | None, float | None]]] = [
    [(2.5, 2.4, 1.0)],
    [(9.65, 9.64, None)],  # invited on a Sunday at 23:54 UTC, accepted Monday 00:08
    [(9.646, None, None)],  # Sunday 23:59:46
    [(30.0, 29.0, 20.0), (12.0, None, None)],  # two contacts with accounts: one customer
    [(400.0, 399.0, 390.0)],  # before the chart's year: counted in its first week
    [(200.0, 100.0, 50.0)],  # accepted long after the invite
    [(0.1, None, None)],
    [(44.646, 44.645, None)],
]


def _arrange(factory: sessionmaker[Session], ws_id: int) -> tuple[list[int], int]:
    """Customers with the ACCOUNTS above, two without any, a quote decided through the
    portal; answers the customer ids and a group of every other customer."""
    ids = []
    for n, accounts in enumerate([*ACCOUNTS, [], []]):
        contacts = [(f"Person {n} {k}", f"p{n}.{k}@example.com", None) for k in range(2)]
        made = add_customer(factory, ws_id, f"Customer {n}", contacts)
        ids.append(made.customer_id)
        with factory() as s:
            for contact_id, (invited, accepted, signed_in) in zip(
                made.contact_ids, accounts, strict=False
            ):
                s.add(
                    PortalAccount(
                        workspace_id=ws_id,
                        contact_id=contact_id,
                        customer_id=made.customer_id,
                        email_normalized=f"p{n}.{contact_id}@example.com",
                        status="active" if accepted is not None else "invited",
                        created_at=NOW - timedelta(days=invited),
                        password_changed_at=None
                        if accepted is None
                        else NOW - timedelta(days=accepted),
                        last_sign_in_at=None
                        if signed_in is None
                        else NOW - timedelta(days=signed_in),
                    )
                )
            if n == 5:
                s.add(
                    Quote(
                        workspace_id=ws_id,
                        customer_id=made.customer_id,
                        number="Q-1",
                        title="New boiler",
                        status="approved",
                        decided_by_contact_id=made.contact_ids[0],
                    )
                )
            s.flush()
            customer = s.get(Customer, made.customer_id)
            assert customer is not None
            refresh_customer(s, customer)  # its portal status: its primary contact's account
            s.commit()
    with factory() as s:
        group = CustomerGroup(workspace_id=ws_id, name="Pilot")
        s.add(group)
        s.flush()
        for position, customer_id in enumerate(ids[::2]):
            s.add(
                CustomerGroupMember(group_id=group.id, customer_id=customer_id, position=position)
            )
        s.commit()
        return ids, group.id


def _monday(at: datetime) -> datetime:
    day = datetime(at.year, at.month, at.day, tzinfo=UTC)
    return day - timedelta(days=day.weekday())


def _expected(factory: sessionmaker[Session], ws_id: int, customers: list[int]) -> Adoption:
    """Counted from every account in Python: cumulative at the end of each week."""
    with factory() as s:
        statuses = dict(
            s.execute(
                select(Customer.id, Customer.access_status).where(Customer.id.in_(customers))
            ).all()
        )
        accounts = s.scalars(
            select(PortalAccount).where(
                PortalAccount.workspace_id == ws_id, PortalAccount.customer_id.in_(customers)
            )
        ).all()
        acted = set(
            s.scalars(
                select(Quote.customer_id).where(
                    Quote.workspace_id == ws_id,
                    Quote.customer_id.in_(customers),
                    Quote.decided_by_contact_id.is_not(None),
                )
            )
        )
    funnel = Funnel(
        customers=len(customers),
        invited=sum(1 for c in customers if statuses[c] != "not_invited"),
        accepted=len({a.customer_id for a in accounts if a.password_changed_at}),
        signed_in=len({a.customer_id for a in accounts if a.last_sign_in_at}),
        acted=len(acted),
    )
    weeks = []
    if accounts:
        last = _monday(NOW)
        week = max(_monday(min(a.created_at for a in accounts)), last - timedelta(weeks=51))
        while week <= last:
            end = week + timedelta(days=7)
            weeks.append(
                AdoptionWeek(
                    week=week,
                    invited=sum(1 for a in accounts if a.created_at < end),
                    accepted=sum(
                        1 for a in accounts if a.password_changed_at and a.password_changed_at < end
                    ),
                )
            )
            week = end
    return Adoption(funnel, weeks)


class Adoption:
    """A funnel and its weeks, compared as a pair."""

    def __init__(self, funnel: Funnel, weeks: list[AdoptionWeek]) -> None:
        self.funnel = funnel
        self.weeks = weeks

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Adoption) and (self.funnel, self.weeks) == (
            other.funnel,
            other.weeks,
        )

    def __repr__(self) -> str:
        return f"Adoption({self.funnel!r}, {self.weeks!r})"


def _counted(factory: sessionmaker[Session], ws_id: int, group_id: int | None) -> Adoption:
    with factory() as s:
        return Adoption(
            adoption.funnel(s, ws_id, group_id), adoption.weeks(s, ws_id, group_id, NOW)
        )


def test_funnel_and_weeks_equal_the_accounts_counted_one_by_one(
    server: Server, ws: TestWorkspace
) -> None:
    customers, group_id = _arrange(server.sessionmaker, ws.id)
    everyone = _counted(server.sessionmaker, ws.id, None)
    assert everyone == _expected(server.sessionmaker, ws.id, customers)
    assert everyone.funnel.accepted == 6 and everyone.funnel.signed_in == 4
    assert everyone.funnel.invited == 8 and everyone.funnel.acted == 1
    assert len(everyone.weeks) == 52
    pilot = _counted(server.sessionmaker, ws.id, group_id)
    assert pilot == _expected(server.sessionmaker, ws.id, customers[::2])
    assert pilot.funnel.customers == 5 and pilot.weeks[-1].invited == 4


def test_a_workspace_without_accounts_has_no_weeks(server: Server, ws: TestWorkspace) -> None:
    add_customer(server.sessionmaker, ws.id, "Nobody Invited")
    counted = _counted(server.sessionmaker, ws.id, None)
    assert counted.weeks == [] and counted.funnel.customers == 1
    assert counted.funnel.accepted == counted.funnel.signed_in == 0


def _plans(factory: sessionmaker[Session], ws_id: int, group_id: int | None) -> list[str]:
    """The query plan of every statement the funnel and the chart run."""
    statements: list[tuple[str, object]] = []
    engine = factory.kw["bind"]

    def seen(_conn, _cursor, statement, parameters, _context, _many) -> None:  # type: ignore[no-untyped-def]
        if statement.lstrip().upper().startswith("SELECT"):
            statements.append((statement, parameters))

    event.listen(engine, "before_cursor_execute", seen)
    try:
        _counted(factory, ws_id, group_id)
    finally:
        event.remove(engine, "before_cursor_execute", seen)
    with engine.connect() as conn:
        return [
            statement
            + " => "
            + " | ".join(
                row[3]
                for row in conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {statement}", parameters)
            )
            for statement, parameters in statements
        ]


def test_sqlite_counts_everyone_s_days_from_the_day_indexes_and_a_group_from_its_members(
    tmp_path: Path,
) -> None:
    with migrated_engine("sqlite", tmp_path) as engine:
        factory = make_sessionmaker(engine)
        with factory() as s:
            ws = Workspace(name="Plans", slug="plans", portal_status="active")
            s.add(ws)
            s.commit()
            ws_id = ws.id
        _customers, group_id = _arrange(factory, ws_id)
        everyone = _plans(factory, ws_id, None)
        by_day = [p for p in everyone if "GROUP BY date(" in p]
        assert len(by_day) == 2, everyone
        for plan, index in zip(by_day, sorted(DAY_INDEXES), strict=True):
            assert f"COVERING INDEX {index}" in plan and "TEMP B-TREE" not in plan, plan
        # The distinct customers are counted along the adoption index, in customer order.
        distinct = next(p for p in everyone if "count(DISTINCT" in p)
        assert distinct.count("COVERING INDEX ix_portal_account_adoption") == 2, distinct
        assert "TEMP B-TREE" not in distinct.split(" => ")[1], distinct
        # A group's statements start from its members, never from the workspace's rows.
        group = _plans(factory, ws_id, group_id)
        for plan in group:
            assert not any(index in plan for index in DAY_INDEXES), plan
            if "FROM portal_account" in plan:
                assert "ix_portal_account_adoption (workspace_id=? AND customer_id=?)" in plan
        statuses = next(p for p in group if "FROM customer " in p)
        assert "SEARCH customer USING INTEGER PRIMARY KEY (rowid=?)" in statuses, statuses


def _to(engine, target: str, down: bool = False) -> None:  # type: ignore[no-untyped-def]
    cfg = migrate._config()
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        (command.downgrade if down else command.upgrade)(cfg, target)


@pytest.mark.parametrize("backend", BACKENDS)
def test_day_indexes_migration_down_and_up(backend: str, tmp_path: Path) -> None:
    with temporary_database(backend, tmp_path) as url:
        engine = make_engine(url)
        try:
            migrate.upgrade(engine)
            factory = make_sessionmaker(engine)
            with factory() as s:
                ws = Workspace(name="Migrated", slug="migrated", portal_status="active")
                s.add(ws)
                s.commit()
                ws_id = ws.id
            customers, group_id = _arrange(factory, ws_id)

            def indexes() -> set[str]:
                # From the catalogue: SQLAlchemy's reflection skips expression indexes.
                catalogue = (
                    "SELECT name FROM sqlite_master WHERE tbl_name = 'portal_account'"
                    if backend == "sqlite"
                    else "SELECT indexname FROM pg_indexes WHERE tablename = 'portal_account'"
                )
                with engine.connect() as conn:
                    return set(conn.scalars(text(catalogue))) & DAY_INDEXES

            assert indexes() == (DAY_INDEXES if backend == "sqlite" else set())
            expected = _expected(factory, ws_id, customers)
            _to(engine, "i15_follow_up", down=True)
            assert indexes() == set()
            assert _counted(factory, ws_id, None) == expected
            with engine.connect() as conn:  # the accounts were not copied away by the drop
                assert conn.scalar(text("SELECT count(*) FROM portal_account")) == 9
            _to(engine, "head")
            assert indexes() == (DAY_INDEXES if backend == "sqlite" else set())
            assert _counted(factory, ws_id, None) == expected
            assert _counted(factory, ws_id, group_id) == _expected(factory, ws_id, customers[::2])
        finally:
            engine.dispose()
