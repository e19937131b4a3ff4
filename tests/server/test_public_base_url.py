"""Links in emails are built on the address customers use, never on ``0.0.0.0``.

``serve`` derives ``http://HOST:PORT`` when it listens on one address, refuses to start when it
listens on every address without being told the public one, and says at start-up where links
point. ``PORTAL_SECRET_KEY`` is gone: setting it only earns a note.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from tests.server.test_cli import GOOD_PASSWORD, db_url, portal_server
from tests.support.live_server import free_port

__all__ = ["db_url"]  # the fixture, on each backend


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--host", "0.0.0.0"), "Pass --public-base-url"),
        (("--host", "::"), "Pass --public-base-url"),
        (("--host", "0.0.0.0", "--public-base-url", "http://0.0.0.0:8000"), "names every"),
        (("--public-base-url", "ftp://portal.example.com"), "must start with https://"),
        (("--public-base-url", "https://portal.example.com/?a=1"), "no query or fragment"),
    ],
)
def test_serve_refuses_links_nobody_can_open(
    tmp_path: Path, args: tuple[str, ...], message: str
) -> None:
    result = portal_server("serve", "--data-dir", str(tmp_path), "--port", "1", *args)
    assert result.returncode == 2, result.stdout + result.stderr
    assert message in result.stderr
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "portal.sqlite3").exists(), "nothing is set up for a refused start"


def test_a_bad_environment_setting_is_named(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PORTAL_")}
    env["PORTAL_PUBLIC_BASE_URL"] = "portal.example.com"
    result = subprocess.run(
        [sys.executable, "-m", "server.cli", "serve", "--data-dir", str(tmp_path)],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 2
    assert result.stderr.startswith("portal-server: PORTAL_PUBLIC_BASE_URL: the public base URL")
    assert "Traceback" not in result.stderr


def test_the_uvicorn_factory_needs_the_public_address(monkeypatch: pytest.MonkeyPatch) -> None:
    from server.asgi import create_from_env

    for name in list(os.environ):
        if name.startswith("PORTAL_"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("PORTAL_DATABASE_URL", "sqlite://")
    with pytest.raises(RuntimeError, match="PORTAL_PUBLIC_BASE_URL is not set"):
        create_from_env()


@dataclass
class Served:
    """A ``portal-server serve`` process: its address and what it printed at start-up."""

    url: str
    banner: str


@contextlib.contextmanager
def _serve(
    db: str, out: Path, *args: str, env_extra: dict[str, str] | None = None
) -> Iterator[Served]:
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("PORTAL_")}
    env.update(env_extra or {})
    command = [sys.executable, "-m", "server.cli", "serve", "--database-url", db]
    with out.open("w") as printed:
        proc = subprocess.Popen(
            [*command, "--port", str(port), *args],
            env=env,
            stdout=printed,
            stderr=subprocess.STDOUT,
            text=True,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{url}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                assert proc.poll() is None, out.read_text()
                time.sleep(0.2)
        else:
            pytest.fail("the server did not answer")
        yield Served(url, out.read_text())
    finally:
        proc.terminate()
        proc.wait(timeout=20)


def _portal_url(served: Served, db: str) -> str:
    """The portal address the server gives staff to share, built like every emailed link."""
    email = "owner@links.example.com"
    made = portal_server(
        "create-staff",
        "--database-url",
        db,
        "--email",
        email,
        "--role",
        "owner",
        "--workspace",
        "links",
        "--time-zone",
        "America/Denver",
        stdin=GOOD_PASSWORD + "\n",
    )
    assert made.returncode == 0, made.stderr
    token = portal_server("issue-token", "--database-url", db, "--email", email).stdout.strip()
    headers = {"Authorization": f"Bearer {token}"}
    r = httpx.get(f"{served.url}/api/v1/workspace", headers=headers, timeout=30)
    assert r.status_code == 200, r.text
    return str(r.json()["portal_url"])


def test_links_use_the_given_public_address(db_url: str, tmp_path: Path) -> None:
    served_at = "https://portal.example.com/"
    env = {"PORTAL_SECRET_KEY": "left over"}
    out = tmp_path / "out.txt"
    with _serve(db_url, out, "--public-base-url", served_at, env_extra=env) as served:
        assert (
            "Customer links (invites, reset links, receipts) point at https://portal.example.com\n"
            in served.banner
        )
        assert "PORTAL_SECRET_KEY is set but no longer used" in served.banner
        assert _portal_url(served, db_url).startswith("https://portal.example.com/p/links")


def test_links_on_one_listening_address_are_derived_and_said(db_url: str, tmp_path: Path) -> None:
    with _serve(db_url, tmp_path / "out.txt", "--host", "127.0.0.1") as served:
        assert f"point at {served.url}\n" in served.banner
        assert "derived from --host and --port" in served.banner
        assert _portal_url(served, db_url).startswith(f"{served.url}/p/links")
