"""The tests' own PostgreSQL: started from the installed binaries when no server answers."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import psycopg
import pytest

from tests.support import pg_cluster

pytestmark = pytest.mark.timeout(180)
ROOT = Path(__file__).resolve().parents[2]


def test_throwaway_cluster_starts_serves_and_is_removed() -> None:
    cluster = pg_cluster.ThrowawayCluster()
    try:
        cluster.start()
        with psycopg.connect(cluster.admin_url, autocommit=True) as conn:
            conn.execute('CREATE DATABASE "probe"')
            assert conn.execute("SELECT current_user").fetchone() == ("postgres",)
    finally:
        cluster.stop()
    assert not cluster.folder.exists()
    with pytest.raises(psycopg.OperationalError):
        psycopg.connect(cluster.admin_url, connect_timeout=3).close()


def test_a_closed_probe_port_starts_a_cluster_of_its_own() -> None:
    # The usual server made unreachable for this process only (port 9 is closed), so the
    # tests' database helper must start and stop a cluster by itself.
    script = (
        "from pathlib import Path\n"
        "from tests.support.databases import migrated_engine\n"
        "from tests.support.pg_cluster import admin_url\n"
        "with migrated_engine('postgresql', Path('.')) as engine:\n"
        "    with engine.connect() as c:\n"
        "        c.exec_driver_sql('SELECT count(*) FROM workspace').scalar()\n"
        "print(admin_url())\n"
    )
    env = {k: v for k, v in os.environ.items() if k != "PORTAL_TEST_PG_ADMIN"}
    env["PORTAL_TEST_PG_PROBE"] = "127.0.0.1:9"
    done = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    url = done.stdout.strip().splitlines()[-1]
    assert ":5432/" not in url and ":9/" not in url
    # Stopped when the process ended.
    with pytest.raises(psycopg.OperationalError):
        psycopg.connect(url, connect_timeout=3).close()


def test_a_configured_admin_url_wins(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PORTAL_TEST_PG_ADMIN", "postgresql://someone@db.example:6543/postgres")
    monkeypatch.setenv("PORTAL_TEST_PG_PROBE", "127.0.0.1:9")
    assert pg_cluster._choose() == "postgresql://someone@db.example:6543/postgres"


def test_no_binaries_says_what_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pg_cluster.shutil, "which", lambda _name: None)
    monkeypatch.setattr(pg_cluster.glob, "glob", lambda _pattern: [])
    with pytest.raises(pg_cluster.NoPostgres, match="apt-get install postgresql"):
        pg_cluster.find_binaries()
