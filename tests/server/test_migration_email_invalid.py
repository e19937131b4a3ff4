"""The migration that judges every stored address once: flags right, nothing else touched.

On SQLite a table copy (Alembic's batch mode) of ``contact`` would cascade the old table's
deletion to every portal account, so the test counts the accounts across both directions.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import func, inspect, select

from server.db import migrate
from server.db.engine import make_engine, make_sessionmaker
from server.db.models import Contact, PortalAccount
from server.demo.seed import seed_demo
from server.domain.emails import email_problem
from tests.support.databases import BACKENDS, temporary_database


def _to(engine, target: str, down: bool = False) -> None:  # type: ignore[no-untyped-def]
    cfg = migrate._config()
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        (command.downgrade if down else command.upgrade)(cfg, target)


@pytest.mark.parametrize("backend", BACKENDS)
def test_down_and_up_again_keeps_accounts_and_judges_every_address(
    backend: str, tmp_path: Path
) -> None:
    with temporary_database(backend, tmp_path) as url:
        engine = make_engine(url)
        try:
            migrate.upgrade(engine)
            with make_sessionmaker(engine)() as s:
                seed_demo(s, slug="mig", customers=120, seed=3)
                accounts = s.scalar(select(func.count()).select_from(PortalAccount))
            assert accounts
            _to(engine, "i14_golive", down=True)
            columns = {c["name"] for c in inspect(engine).get_columns("contact")}
            assert "email_invalid" not in columns
            _to(engine, "head")
            with make_sessionmaker(engine)() as s:
                assert s.scalar(select(func.count()).select_from(PortalAccount)) == accounts
                rows = s.execute(select(Contact.email_normalized, Contact.email_invalid)).all()
        finally:
            engine.dispose()
    judged = [bool(a) and email_problem(a) is not None for a, _ in rows]
    assert [flag for _, flag in rows] == judged
    assert any(judged)  # the seed writes some invalid addresses: the flags were set
