"""``portal-server``: help, migrate, create-staff, seed-demo and serve, run as a real process."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.orm import Session

from server.db import migrate
from server.db.models import Customer, StaffUser, Workspace
from server.domain.secrets import verify_password
from tests.support.databases import BACKENDS, temporary_database
from tests.support.live_server import free_port

COMMANDS = ("serve", "migrate", "create-staff", "seed-demo", "issue-token", "local")
GOOD_PASSWORD = "a long enough passphrase"


def portal_server(
    *args: str, stdin: str = "", timeout: float = 120
) -> subprocess.CompletedProcess[str]:
    """Run the command line as a user would, with no PORTAL_* settings inherited."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PORTAL_")}
    return subprocess.run(
        [sys.executable, "-m", "server.cli", *args],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=timeout,
        env=env,
        check=False,
    )


@pytest.fixture(params=BACKENDS)
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """An empty database on each backend."""
    with temporary_database(request.param, tmp_path) as url:
        yield url


def test_help_for_every_command() -> None:
    top = portal_server("--help")
    assert top.returncode == 0
    for command in COMMANDS:
        assert command in top.stdout
    for command in COMMANDS:
        result = portal_server(command, "--help")
        assert result.returncode == 0, result.stderr
        assert f"portal-server {command}" in result.stdout
        assert "--database-url" in result.stdout


def test_create_staff_reads_the_password_from_stdin(db_url: str) -> None:
    assert "--password" not in portal_server("create-staff", "--help").stdout
    result = portal_server(
        "create-staff",
        "--database-url",
        db_url,
        "--email",
        "Pat@Example.com",
        "--role",
        "manager",
        "--workspace",
        "team-a",
        "--time-zone",
        "America/Los_Angeles",
        stdin=GOOD_PASSWORD + "\n",
    )
    assert result.returncode == 0, result.stderr
    assert "Created manager pat@example.com in workspace 'team-a'." in result.stdout
    assert GOOD_PASSWORD not in result.stdout + result.stderr
    engine = create_engine(db_url)
    try:
        with Session(engine) as session:
            user = session.scalar(select(StaffUser).where(StaffUser.email == "pat@example.com"))
            assert user is not None and user.role == "manager"
            assert verify_password(user.password_hash, GOOD_PASSWORD)
            zone = session.scalar(select(Workspace.time_zone).where(Workspace.slug == "team-a"))
            assert zone == "America/Los_Angeles"
    finally:
        engine.dispose()
    # A workspace that exists already keeps its zone: joining it needs no --time-zone.
    second = portal_server(
        "create-staff",
        "--database-url",
        db_url,
        "--email",
        "sam@example.com",
        "--role",
        "dispatcher",
        "--workspace",
        "team-a",
        stdin=GOOD_PASSWORD + "\n",
    )
    assert second.returncode == 0, second.stderr


def test_create_staff_bad_input(db_url: str) -> None:
    new = ("create-staff", "--database-url", db_url, "--workspace", "team-b")
    base = (*new, "--time-zone", "America/Chicago")
    short = portal_server(*base, "--email", "a@example.com", "--role", "owner", stdin="short\n")
    assert short.returncode == 2
    assert "Use at least 8 characters." in short.stderr
    role = portal_server(*base, "--email", "a@example.com", "--role", "admin", stdin="x" * 12)
    assert role.returncode == 2 and "invalid choice: 'admin'" in role.stderr
    on_line = portal_server(*base, "--email", "a@example.com", "--role", "owner", "--password", "x")
    assert on_line.returncode == 2 and "unrecognized arguments" in on_line.stderr
    # A hosted workspace is not created without the business's time zone, nor with a wrong
    # one, nor with a slug that cannot be a portal path: each said plainly, no traceback.
    zoneless = portal_server(
        *new, "--email", "a@example.com", "--role", "owner", stdin=GOOD_PASSWORD
    )
    assert zoneless.returncode == 2
    assert "a new workspace needs the business's time zone" in zoneless.stderr
    assert "--time-zone America/Los_Angeles" in zoneless.stderr
    wrong = portal_server(
        *new,
        "--time-zone",
        "Mars/Olympus",
        "--email",
        "a@example.com",
        "--role",
        "owner",
        stdin=GOOD_PASSWORD,
    )
    assert wrong.returncode == 2
    assert "--time-zone Mars/Olympus: Choose a time zone from the list" in wrong.stderr
    slug = portal_server(
        "create-staff",
        "--database-url",
        db_url,
        "--workspace",
        "fz",
        "--time-zone",
        "UTC",
        "--email",
        "a@example.com",
        "--role",
        "owner",
        stdin=GOOD_PASSWORD,
    )
    assert slug.returncode == 2 and "Traceback" not in slug.stderr
    assert "--workspace fz: Use 3 to 63 lower-case letters" in slug.stderr
    engine = create_engine(db_url)
    try:
        with Session(engine) as session:
            assert session.scalar(select(func.count()).select_from(StaffUser)) == 0
            assert session.scalar(select(func.count()).select_from(Workspace)) == 0
    finally:
        engine.dispose()


def test_migrate_then_serve_refuses_an_outdated_database(db_url: str) -> None:
    result = portal_server("migrate", "--database-url", db_url)
    assert result.returncode == 0, result.stderr
    head = migrate.head_revision()
    assert f"Database is at migration {head}." in result.stdout
    engine = create_engine(db_url)
    try:
        with engine.begin() as conn:
            conn.execute(text("UPDATE alembic_version SET version_num = '0123456789ab'"))
    finally:
        engine.dispose()
    served = portal_server("serve", "--database-url", db_url, "--port", str(free_port()))
    assert served.returncode == 2
    assert "0123456789ab" in served.stderr and "'portal-server migrate'" in served.stderr
    seeded = portal_server("seed-demo", "--database-url", db_url, "--customers", "5")
    assert seeded.returncode == 2 and "'portal-server migrate'" in seeded.stderr


def test_serve_migrates_a_fresh_data_dir(tmp_path: Path) -> None:
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("PORTAL_")}
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "server.cli",
            "serve",
            "--data-dir",
            str(tmp_path / "data"),
            "--port",
            str(port),
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                r = httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1)
                if r.status_code == 200:
                    break
            except httpx.TransportError:
                assert proc.poll() is None, proc.stderr.read() if proc.stderr else ""
                time.sleep(0.2)
        else:
            pytest.fail("the server did not answer")
        assert r.json()["status"] == "ok"
    finally:
        proc.terminate()
        proc.wait(timeout=20)
    assert (tmp_path / "data" / "portal.sqlite3").exists()


def test_seed_demo_command(db_url: str) -> None:
    args = ("seed-demo", "--database-url", db_url, "--workspace", "cli-demo")
    first = portal_server(*args, "--customers", "40", "--seed", "3")
    assert first.returncode == 0, first.stderr
    assert "Seeded workspace 'cli-demo'" in first.stdout and "40 customers" in first.stdout
    again = portal_server(*args, "--customers", "40")
    assert again.returncode == 2
    assert "already has 40 customers" in again.stderr and "Traceback" not in again.stderr
    kept = portal_server(*args, "--customers", "40", "--if-empty")
    assert kept.returncode == 0, kept.stderr
    assert "already has 40 customers; kept." in kept.stdout
    engine = create_engine(db_url)
    try:
        with Session(engine) as session:
            assert session.scalar(select(func.count()).select_from(Customer)) == 40
    finally:
        engine.dispose()


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (("--workspace", "Bad Slug"), "lower-case letters"),
        (("--workspace", "static"), "reserved"),
        (("--customers", "0"), "between 1 and"),
        (("--customers", "many"), "invalid int value"),
    ],
)
def test_seed_demo_bad_input(tmp_path: Path, extra: tuple[str, ...], message: str) -> None:
    result = portal_server("seed-demo", "--data-dir", str(tmp_path), *extra)
    assert result.returncode == 2
    assert message in result.stderr and "Traceback" not in result.stderr


def test_the_local_workspace_starts_in_the_machine_time_zone(tmp_path: Path) -> None:
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("PORTAL_")}
    env["TZ"] = "America/Chicago"  # the machine's zone, as tzlocal reads it
    data = tmp_path / "data"
    command = [sys.executable, "-m", "server.cli", "local", "--data-dir", str(data)]
    proc = subprocess.Popen(
        [*command, "--port", str(port), "--customers", "3"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=2).is_success:
                    break
            except httpx.TransportError:
                time.sleep(0.3)
        else:
            pytest.fail("the local server did not answer")
    finally:
        proc.terminate()
        proc.wait(timeout=20)
    engine = create_engine(f"sqlite:///{data / 'portal.sqlite3'}")
    try:
        with Session(engine) as session:
            zone = session.scalar(select(Workspace.time_zone).where(Workspace.slug == "demo"))
    finally:
        engine.dispose()
    assert zone == "America/Chicago"
