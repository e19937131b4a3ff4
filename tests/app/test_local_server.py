"""The embedded local workspace: seeded once, served on a free port, never left running."""

import asyncio
import os
import signal
import subprocess
import sys
import textwrap
import time

import httpx
import pytest

from app.api_client import ApiClient, make_http_client
from app.local_server import SEEDED_MARKER, LocalServer

pytestmark = pytest.mark.asyncio


def gone(pid: int, within: float = 15.0) -> bool:
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return True
        time.sleep(0.1)
    return False


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory):
    return tmp_path_factory.mktemp("local-server")


async def test_first_run_seeds_then_serves_and_signs_in_as_the_owner(data_dir, tmp_path):
    server = LocalServer(data_dir, tmp_path / "server.log", demo_customers=25)
    steps = []
    token = await server.start(progress=steps.append)
    try:
        assert server.seeded and (data_dir / SEEDED_MARKER).exists()
        assert any("first run" in s for s in steps)
        assert server.url.startswith("http://127.0.0.1:")
        async with make_http_client() as http:
            me = await ApiClient(server.url, http, token).me()
            assert me["email"] == server.owner_email and me["role"] == "owner"
            rows = await ApiClient(server.url, http, token).changes(0, 5000)
            assert sum(c["entity"] == "customer" for c in rows["data"]) == 25
        pid = server.process.pid
    finally:
        await server.stop()
    assert gone(pid) and not server.alive


async def test_second_run_reuses_the_data_without_seeding(data_dir, tmp_path):
    assert (data_dir / SEEDED_MARKER).exists()
    server = LocalServer(data_dir, tmp_path / "server.log", demo_customers=25)
    steps = []
    token = await server.start(progress=steps.append)
    try:
        assert not any("first run" in s for s in steps)
        async with make_http_client() as http:
            rows = await ApiClient(server.url, http, token).changes(0, 5000)
        assert sum(c["entity"] == "customer" for c in rows["data"]) == 25
    finally:
        await server.stop()


async def test_the_local_workspace_keeps_its_address_across_restarts(data_dir, tmp_path):
    server = LocalServer(data_dir, tmp_path / "server.log")
    token = await server.start()
    first = server.url
    async with make_http_client() as http:
        me = await ApiClient(server.url, http, token).me()
        invite_page = f"{server.url}/p/{me['workspace_slug']}/"
    await server.stop()
    assert server.remembered_url == first
    token = await server.start()
    try:
        assert server.url == first  # links shown before the restart still work
        async with make_http_client() as http:
            assert (await http.get(invite_page)).status_code in (200, 303)  # served here
            again = await ApiClient(server.url, http, token).me()
        assert again["workspace_key"] == me["workspace_key"]
    finally:
        await server.stop()


async def test_a_port_taken_by_another_program_moves_the_workspace_and_says_so(
    data_dir, tmp_path, caplog, monkeypatch
):
    import socket

    monkeypatch.setattr("app.local_server.PORT_WAIT", 0.3)
    server = LocalServer(data_dir, tmp_path / "server.log")
    taken = server.remembered_port
    assert taken is not None
    with socket.socket() as squatter:
        squatter.bind(("127.0.0.1", taken))
        squatter.listen()
        await server.start()
        try:
            assert server.port != taken and server.remembered_port == server.port
            assert any("taken by another program" in r.getMessage() for r in caplog.records)
        finally:
            await server.stop()


async def test_a_seed_whose_marker_was_lost_counts_as_done(data_dir, tmp_path):
    # Seeding finished but the console stopped before writing the marker: the next start must
    # open the seeded workspace, neither fail on "already has customers" nor seed twice.
    (data_dir / SEEDED_MARKER).unlink()
    server = LocalServer(data_dir, tmp_path / "server.log", demo_customers=25)
    steps = []
    token = await server.start(progress=steps.append)
    try:
        assert any("first run" in s for s in steps)  # it did try to seed
        assert (data_dir / SEEDED_MARKER).exists()
        async with make_http_client() as http:
            rows = await ApiClient(server.url, http, token).changes(0, 5000)
        assert sum(c["entity"] == "customer" for c in rows["data"]) == 25
    finally:
        await server.stop()


async def test_a_server_that_dies_is_reported(data_dir, tmp_path):
    server = LocalServer(data_dir, tmp_path / "server.log")
    await server.start()
    died = asyncio.get_running_loop().create_future()
    server.watch(lambda code: died.done() or died.set_result(code))
    os.kill(server.process.pid, signal.SIGKILL)
    code = await asyncio.wait_for(died, 10)
    assert code == -signal.SIGKILL
    await server.stop()
    # ...and it can be started again on the same data.
    token = await server.start()
    async with httpx.AsyncClient() as http:
        assert (
            await http.get(
                f"{server.url}/api/v1/auth/me", headers={"Authorization": f"Bearer {token}"}
            )
        ).status_code == 200
    await server.stop()


async def test_killing_the_console_stops_the_server(data_dir, tmp_path):
    # A stand-in console: starts the local server, prints its pid, then waits to be killed.
    script = textwrap.dedent(f"""
        import asyncio, sys
        from pathlib import Path
        from app.local_server import LocalServer
        async def main():
            s = LocalServer(Path({str(data_dir)!r}), Path({str(tmp_path / "x.log")!r}))
            await s.start()
            print(s.process.pid, flush=True)
            await asyncio.sleep(600)
        asyncio.run(main())
    """)
    console = subprocess.Popen(  # noqa: ASYNC220  (the test drives a real process)
        [sys.executable, "-c", script], stdout=subprocess.PIPE, text=True
    )
    try:
        child = int(console.stdout.readline())
        os.kill(child, 0)  # running
        console.kill()  # SIGKILL: no cleanup code runs in the console
        console.wait()
        assert gone(child), "the local server outlived the console"
    finally:
        console.kill()
        console.stdout.close()
