"""A bounded HTTP load: a fixed number of keep-alive connections for a fixed time.

``wrk`` (a C load generator, Debian package ``wrk``) is used when it is installed, because a
Python client on the same small machine would take CPU the server needs and cap the figure.
Without it, threads with ``http.client`` connections do the same job, more slowly. Either
way both servers of a comparison are loaded by the same tool in the same way.
"""

from __future__ import annotations

import http.client
import re
import shutil
import statistics
import subprocess
import threading
import time
from dataclasses import dataclass
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


def run_load(
    url: str, *, headers: dict[str, str], connections: int = 4, seconds: float = 5.0
) -> Load:
    """Load ``url`` with GETs; wrk when available, else Python threads."""
    if shutil.which("wrk"):
        return _wrk(url, headers, connections, seconds)
    return _threads(url, headers, connections, seconds)


def _ms(text: str) -> float:
    found = re.fullmatch(r"([\d.]+)(us|ms|s)", text)
    if not found:
        raise ValueError(f"unreadable wrk time {text!r}")
    return float(found.group(1)) * _UNITS[found.group(2)]


def _wrk(url: str, headers: dict[str, str], connections: int, seconds: float) -> Load:
    args = ["wrk", "-t1", f"-c{connections}", f"-d{max(1, round(seconds))}s", "--latency"]
    args += ["--timeout", "10s"]
    for name, value in headers.items():
        args += ["-H", f"{name}: {value}"]
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


def _threads(url: str, headers: dict[str, str], connections: int, seconds: float) -> Load:
    parts = urlsplit(url)
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
                conn.request("GET", target, headers=headers)
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
