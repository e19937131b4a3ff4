"""The PostgreSQL server the tests use: a configured one, the usual local one, or our own.

In order:

1. ``PORTAL_TEST_PG_ADMIN`` names an admin URL: it is used as given.
2. A server answers at ``PORTAL_TEST_PG_PROBE`` (``host:port``, default ``127.0.0.1:5432``):
   it is used as ``postgres@host:port`` (trust authentication, as on the CI machine).
3. Otherwise a throw-away cluster is started from the installed server binaries (``initdb``
   and ``pg_ctl`` found on ``PATH`` or under ``/usr/lib/postgresql/*/bin``) in a temporary
   folder, on a free port of 127.0.0.1, and stopped and deleted when the test process exits.

``initdb`` refuses to run as root, so under root the cluster is created and run by an
unprivileged account (``postgres`` if the package made one, else ``nobody``).
"""

from __future__ import annotations

import atexit
import contextlib
import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import threading
from pathlib import Path

DEFAULT_PROBE = "127.0.0.1:5432"
_lock = threading.Lock()
_chosen: list[str] = []


class NoPostgres(RuntimeError):
    """No PostgreSQL server is configured, answering, or installed to start one."""


def admin_url() -> str:
    """The admin URL of the PostgreSQL server for this test process (started on first use)."""
    with _lock:
        if not _chosen:
            _chosen.append(_choose())
        return _chosen[0]


def _choose() -> str:
    configured = os.environ.get("PORTAL_TEST_PG_ADMIN")
    if configured:
        return configured
    host, port = _probe_address()
    if _answers(host, port):
        return f"postgresql://postgres@{host}:{port}/postgres"
    cluster = ThrowawayCluster()
    cluster.start()
    atexit.register(cluster.stop)
    return cluster.admin_url


def _probe_address() -> tuple[str, int]:
    text = os.environ.get("PORTAL_TEST_PG_PROBE", DEFAULT_PROBE)
    host, _, port = text.rpartition(":")
    return host or "127.0.0.1", int(port)


def _answers(host: str, port: int) -> bool:
    """Whether something accepts connections there (a closed port answers at once)."""
    try:
        with socket.create_connection((host, port), timeout=2):
            return True
    except OSError:
        return False


def find_binaries() -> Path:
    """The folder holding ``initdb`` and ``pg_ctl`` (the newest installed version wins)."""
    on_path = shutil.which("initdb")
    if on_path and shutil.which("pg_ctl"):
        return Path(os.path.realpath(on_path)).parent
    found = sorted(
        glob.glob("/usr/lib/postgresql/*/bin/initdb"),
        key=lambda p: int(Path(p).parts[-3]) if Path(p).parts[-3].isdigit() else 0,
    )
    if not found:
        raise NoPostgres(
            "No PostgreSQL server answers and none is installed to start one for the tests. "
            "Install PostgreSQL (Debian: apt-get install postgresql) or set "
            "PORTAL_TEST_PG_ADMIN to the admin URL of a server."
        )
    return Path(found[-1]).parent


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def _unprivileged_user() -> pwd.struct_passwd | None:
    """Who runs the cluster: ourselves, or (as root) an account initdb will accept."""
    if os.geteuid() != 0:
        return None
    for name in ("postgres", "nobody"):
        with contextlib.suppress(KeyError):
            return pwd.getpwnam(name)
    raise NoPostgres("Running as root, and no 'postgres' or 'nobody' account to run initdb as.")


class ThrowawayCluster:
    """A PostgreSQL cluster in a temporary folder, trust authentication, superuser postgres."""

    def __init__(self) -> None:
        self.bin = find_binaries()
        self.user = _unprivileged_user()
        self.port = _free_port()
        self.folder = Path(tempfile.mkdtemp(prefix="portal-test-pg-"))
        self.data = self.folder / "data"
        self.running = False

    @property
    def admin_url(self) -> str:
        """Where the tests connect as the superuser."""
        return f"postgresql://postgres@127.0.0.1:{self.port}/postgres"

    def _run(self, *args: str) -> None:
        # user=/group= rather than a preexec_fn: the latter is refused at interpreter shutdown,
        # which is when the cluster is stopped.
        as_user: dict[str, object] = {}
        if self.user is not None:
            as_user = {"user": self.user.pw_uid, "group": self.user.pw_gid, "extra_groups": []}
        result = subprocess.run(
            [str(self.bin / args[0]), *args[1:]],
            cwd=self.folder,
            capture_output=True,
            text=True,
            check=False,
            env={**os.environ, "LC_ALL": "C", "TZ": "UTC"},
            **as_user,  # type: ignore[arg-type]
        )
        if result.returncode != 0:
            raise NoPostgres(
                f"{args[0]} failed ({result.returncode}): {result.stderr.strip()[-800:]}"
            )

    def start(self) -> None:
        """initdb, then start the server and wait until it accepts connections."""
        if self.user is not None:
            os.chown(self.folder, self.user.pw_uid, self.user.pw_gid)
        self._run("initdb", "-D", str(self.data), "-U", "postgres", "-A", "trust", "-E", "UTF8")
        options = (
            f"-c listen_addresses=127.0.0.1 -c port={self.port} "
            f"-c unix_socket_directories={self.folder} -c fsync=off "
            "-c synchronous_commit=off -c full_page_writes=off -c max_connections=200"
        )
        self._run(
            "pg_ctl", "-D", str(self.data), "-o", options, "-l", str(self.folder / "log"),
            "-w", "-t", "60", "start",
        )  # fmt: skip
        self.running = True

    def stop(self) -> None:
        """Stop the server at once and delete its folder."""
        if self.running:
            self.running = False
            with contextlib.suppress(NoPostgres):
                self._run("pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "stop")
        shutil.rmtree(self.folder, ignore_errors=True)
