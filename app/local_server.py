"""The embedded local workspace: a ``portal-server`` child process on 127.0.0.1.

First run seeds a demo workspace and chooses a free port, remembered in the data folder; every
run serves the same data on that same address, so invite links and portal addresses it showed
keep working after a restart. Only when another program holds that port does a run move to a
new one (remembered from then on, and said in the log). It waits for ``/healthz`` and issues
a token for the local owner (no password involved). The child runs
in its own process group behind ``app.server_child``'s guards, so it never outlives the console.
"""

from __future__ import annotations

import asyncio
import logging
import os
import socket
import subprocess
import time
from collections.abc import Callable
from pathlib import Path
from typing import IO

import httpx

from app.helper_processes import helper_command

log = logging.getLogger(__name__)

SEEDED_MARKER = "demo-seeded"
PORT_FILE = "port"
# A server of ours that just stopped may hold the port for a moment: how long to wait for it.
PORT_WAIT = 3.0
HEALTH_TIMEOUT = 60.0
STOP_TIMEOUT = 5.0


class LocalServerError(Exception):
    """The local workspace could not be started; ``message`` says why in plain English."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nobody listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def port_is_free(port: int) -> bool:
    """Nobody listens on ``port`` of 127.0.0.1 (a server could bind it now)."""
    with socket.socket() as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def local_owner_email() -> str:
    """The staff account the console signs in as on the local workspace."""
    from server.wire.auth import LOCAL_OWNER_EMAIL

    return LOCAL_OWNER_EMAIL


class LocalServer:
    """Starts, watches and stops the local portal server."""

    def __init__(
        self,
        data_dir: Path,
        log_file: Path,
        *,
        demo_customers: int = 500,
        owner_email: str | None = None,
    ) -> None:
        self.data_dir = data_dir
        self.log_file = log_file
        self.demo_customers = demo_customers
        self._owner_email = owner_email
        self.port: int | None = None
        self.process: subprocess.Popen[bytes] | None = None
        self._log: IO[bytes] | None = None
        self._stopping = False
        self._watch: asyncio.Task[None] | None = None

    @property
    def owner_email(self) -> str:
        """Email of the local owner."""
        if self._owner_email is None:
            self._owner_email = local_owner_email()
        return self._owner_email

    @property
    def url(self) -> str:
        """Base URL of the running server."""
        if self.port is None:
            raise LocalServerError("The local workspace is not running.")
        return f"http://127.0.0.1:{self.port}"

    @property
    def seeded(self) -> bool:
        """The demo workspace was seeded in an earlier run."""
        return (self.data_dir / SEEDED_MARKER).exists()

    @property
    def alive(self) -> bool:
        """The child process is running."""
        return self.process is not None and self.process.poll() is None

    async def start(self, progress: Callable[[str], None] = lambda _msg: None) -> str:
        """Seed on first run, serve, wait until healthy; returns a fresh owner token."""
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self._stopping = False
        if not self.seeded:
            progress("Preparing the demo workspace (first run only, this takes a moment)…")
            # --if-empty: a run that seeded but stopped before writing the marker left a
            # seeded workspace; that counts as done, not as an error.
            await self.run_cli(
                "seed-demo",
                "--customers",
                str(self.demo_customers),
                "--workspace",
                "demo",
                "--if-empty",
            )
            (self.data_dir / SEEDED_MARKER).write_text("1\n", encoding="utf-8")
        progress("Starting the local workspace…")
        self.port = await self._choose_port()
        self.process = self._spawn(["serve", "--host", "127.0.0.1", "--port", str(self.port)])
        await self._wait_healthy()
        progress("Signing in…")
        return await self.issue_token()

    @property
    def remembered_port(self) -> int | None:
        """The port this workspace was served on before (None before the first start)."""
        try:
            port = int((self.data_dir / PORT_FILE).read_text(encoding="utf-8").strip())
        except (OSError, ValueError):
            return None
        return port if 0 < port < 65536 else None

    @property
    def remembered_url(self) -> str | None:
        """The address the local workspace keeps across restarts (None before the first)."""
        port = self.remembered_port
        return None if port is None else f"http://127.0.0.1:{port}"

    async def _choose_port(self) -> int:
        port = self.remembered_port
        if port is not None:
            deadline = time.monotonic() + PORT_WAIT
            while not port_is_free(port):
                if time.monotonic() > deadline:
                    log.warning(
                        "port %s of the local workspace is taken by another program; moving to "
                        "a new port (links shown before name the old one)",
                        port,
                    )
                    port = None
                    break
                await asyncio.sleep(0.1)
        if port is None:
            port = free_port()
            (self.data_dir / PORT_FILE).write_text(f"{port}\n", encoding="utf-8")
        return port

    async def issue_token(self) -> str:
        """A new bearer token for the local owner, straight from the database."""
        out = await self.run_cli("issue-token", "--email", self.owner_email)
        lines = [line for line in out.splitlines() if line.strip()]
        if not lines:
            raise LocalServerError("The local workspace did not hand out a sign-in token.")
        return lines[-1].strip()

    async def run_cli(self, *args: str, limit_seconds: float = 600.0) -> str:
        """Run one ``portal-server`` command on the local data; returns its output."""
        proc = self._spawn(list(args), stdout=subprocess.PIPE)
        # The child's watchdog ends it when this pipe closes: keep it open until it is done.
        deadline = time.monotonic() + limit_seconds
        try:
            while proc.poll() is None:
                if time.monotonic() > deadline:
                    raise LocalServerError(f"'{args[0]}' took too long on the local workspace.")
                await asyncio.sleep(0.05)
        except BaseException:
            _terminate(proc)
            if proc.stdin is not None:
                proc.stdin.close()
            raise
        if proc.stdin is not None:
            proc.stdin.close()
        out = proc.stdout.read().decode(errors="replace") if proc.stdout else ""
        if proc.stdout is not None:
            proc.stdout.close()
        if proc.returncode != 0:
            raise LocalServerError(
                f"The local workspace could not run '{args[0]}' (exit code {proc.returncode}). "
                f"Details are in {self.log_file}."
            )
        return out

    def _spawn(self, args: list[str], *, stdout: int | None = None) -> subprocess.Popen[bytes]:
        if self._log is None or self._log.closed:
            self.log_file.parent.mkdir(parents=True, exist_ok=True)
            self._log = self.log_file.open("ab")
        command = helper_command("app.server_child", *args, "--data-dir", str(self.data_dir))
        log.info("starting %s", " ".join(args))
        return subprocess.Popen(  # noqa: S603  (our own interpreter and module)
            command,
            stdin=subprocess.PIPE,  # the parent-death watchdog's pipe (see app.server_child)
            stdout=stdout if stdout is not None else self._log,
            stderr=self._log,
            start_new_session=True,  # Ctrl+C in a terminal reaches the console, not the server
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
        )

    async def _wait_healthy(self) -> None:
        deadline = time.monotonic() + HEALTH_TIMEOUT
        async with httpx.AsyncClient(timeout=2.0) as http:
            while time.monotonic() < deadline:
                if not self.alive:
                    raise LocalServerError(
                        "The local workspace stopped while starting. "
                        f"Details are in {self.log_file}."
                    )
                try:
                    if (await http.get(f"{self.url}/healthz")).status_code == 200:
                        return
                except httpx.TransportError:
                    pass
                await asyncio.sleep(0.1)
        await self.stop()
        raise LocalServerError("The local workspace did not start within a minute.")

    def watch(self, on_died: Callable[[int | None], None]) -> None:
        """Call ``on_died(exit_code)`` if the server stops without being asked to."""
        if self._watch is not None:
            self._watch.cancel()
        self._watch = asyncio.get_running_loop().create_task(self._watch_loop(on_died))

    async def _watch_loop(self, on_died: Callable[[int | None], None]) -> None:
        while not self._stopping:
            if self.process is not None and self.process.poll() is not None:
                if not self._stopping:
                    log.error("local server exited with %s", self.process.returncode)
                    on_died(self.process.returncode)
                return
            await asyncio.sleep(0.5)

    async def stop(self) -> None:
        """Stop the server: terminate, then kill if it has not exited in time."""
        self._stopping = True
        if self._watch is not None:
            self._watch.cancel()
            self._watch = None
        proc, self.process = self.process, None
        if proc is not None and proc.poll() is None:
            proc.terminate()
            deadline = time.monotonic() + STOP_TIMEOUT
            # Popen has no awaitable exit; a short poll keeps the loop free.
            while proc.poll() is None and time.monotonic() < deadline:  # noqa: ASYNC110
                await asyncio.sleep(0.05)
            _terminate(proc)
        if proc is not None and proc.stdin is not None:
            proc.stdin.close()
        if self._log is not None:
            self._log.close()
            self._log = None

    def stop_now(self) -> None:
        """Synchronous last resort (interpreter exit): make sure no child is left."""
        self._stopping = True
        if self.process is not None:
            _terminate(self.process, grace=STOP_TIMEOUT)


def _terminate(proc: subprocess.Popen[bytes], grace: float = 0.0) -> None:
    if proc.poll() is not None:
        return
    proc.terminate()
    try:
        proc.wait(timeout=grace or 0.01)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(timeout=5)
