"""A bounded HTTP load: a fixed number of keep-alive connections for a fixed time.

``wrk`` (a C load generator, Debian package ``wrk``) is used when it is installed, because a
Python client on the same small machine would take CPU the server needs and cap the figure.
Without it, threads with ``http.client`` connections do the same job, more slowly. Either
way both servers of a comparison are loaded by the same tool in the same way.
"""

from __future__ import annotations

import http.client
import itertools
import re
import shutil
import statistics
import subprocess
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0}


@dataclass(frozen=True)
class Load:
    """What one run achieved: requests per second and latency percentiles in ms."""

    tool: str
    requests: int
    seconds: float
    rps: float
    p50_ms: float
    p99_ms: float
    failures: int


COOKIE_NAME = "tb_portal"

# One Lua state per wrk thread (the runs use one): requests take the cookies in turn.
_ROTATE = """
local cookies = {}
for line in io.lines("%s") do cookies[#cookies + 1] = line end
local i = 0
request = function()
  i = i %% #cookies + 1
  return wrk.format(nil, nil, {["Cookie"] = "%s=" .. cookies[i]})
end
"""


def run_load(
    url: str,
    *,
    headers: dict[str, str],
    connections: int = 4,
    seconds: float = 5.0,
    cookies: list[str] | None = None,
) -> Load:
    """Load ``url`` with GETs; wrk when available, else Python threads. With ``cookies``,
    each request carries the next of them as the session cookie."""
    if shutil.which("wrk"):
        return _wrk(url, headers, connections, seconds, cookies)
    return _threads(url, headers, connections, seconds, cookies)


def _ms(text: str) -> float:
    found = re.fullmatch(r"([\d.]+)(us|ms|s)", text)
    if not found:
        raise ValueError(f"unreadable wrk time {text!r}")
    return float(found.group(1)) * _UNITS[found.group(2)]


def _wrk(
    url: str,
    headers: dict[str, str],
    connections: int,
    seconds: float,
    cookies: list[str] | None,
) -> Load:
    args = ["wrk", "-t1", f"-c{connections}", f"-d{max(1, round(seconds))}s", "--latency"]
    args += ["--timeout", "10s"]
    for name, value in headers.items():
        args += ["-H", f"{name}: {value}"]
    with tempfile.TemporaryDirectory(prefix="wrk-") as folder:
        if cookies:
            listed = Path(folder) / "cookies.txt"
            listed.write_text("\n".join(cookies) + "\n")
            script = Path(folder) / "rotate.lua"
            script.write_text(_ROTATE % (listed, COOKIE_NAME))
            args += ["-s", str(script)]
        done = subprocess.run(
            [*args, url], capture_output=True, text=True, timeout=seconds + 60, check=True
        )
    out = done.stdout
    total = re.search(r"(\d+) requests in ([\d.]+)(us|ms|s)", out)
    rps = re.search(r"Requests/sec:\s+([\d.]+)", out)
    p50 = re.search(r"^\s+50%\s+(\S+)", out, re.M)
    p99 = re.search(r"^\s+99%\s+(\S+)", out, re.M)
    if not (total and rps and p50 and p99):
        raise RuntimeError(f"unreadable wrk output:\n{out}\n{done.stderr}")
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    failures = int(bad.group(1)) if bad else 0
    failures += sum(int(g) for g in errors.groups()) if errors else 0
    return Load(
        "wrk",
        int(total.group(1)),
        _ms(total.group(2) + total.group(3)) / 1000,
        float(rps.group(1)),
        _ms(p50.group(1)),
        _ms(p99.group(1)),
        failures,
    )


def _threads(
    url: str,
    headers: dict[str, str],
    connections: int,
    seconds: float,
    cookies: list[str] | None,
) -> Load:
    parts = urlsplit(url)
    turns = itertools.cycle(cookies or [None])  # next() on a cycle is atomic under the GIL
    target = parts.path + (f"?{parts.query}" if parts.query else "")
    latencies: list[list[float]] = [[] for _ in range(connections)]
    failures = [0] * connections
    start = time.perf_counter()
    deadline = start + seconds

    def worker(i: int) -> None:
        conn = http.client.HTTPConnection(parts.hostname or "127.0.0.1", parts.port, timeout=10)
        try:
            while time.perf_counter() < deadline:
                began = time.perf_counter()
                cookie = next(turns)
                sent = (
                    headers if cookie is None else {**headers, "Cookie": f"{COOKIE_NAME}={cookie}"}
                )
                conn.request("GET", target, headers=sent)
                answer = conn.getresponse()
                answer.read()
                if answer.status != 200:
                    failures[i] += 1
                latencies[i].append((time.perf_counter() - began) * 1000)
        except (OSError, http.client.HTTPException):
            failures[i] += 1
        finally:
            conn.close()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(connections)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=seconds + 30)
    elapsed = time.perf_counter() - start
    every = sorted(x for per in latencies for x in per)
    if len(every) < 2:
        raise RuntimeError(f"no answers from {url}")
    p99 = statistics.quantiles(every, n=100, method="inclusive")[98]
    return Load(
        "python threads",
        len(every),
        elapsed,
        len(every) / elapsed,
        statistics.median(every),
        p99,
        sum(failures),
    )
