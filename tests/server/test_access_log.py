"""The access log: one JSON line per request, the same object whether it is written straight
to the log's stream (a served server) or through ``logging`` (anywhere else)."""

from __future__ import annotations

import io
import json
import logging
import sys
from collections.abc import Callable, Iterator

import httpx
import pytest

from server.logs import ACCESS_LINES, JsonFormatter, configure_logging
from tests.server.conftest import Server

_LOGGERS = ("", "uvicorn", "uvicorn.error", "uvicorn.access")


Configure = Callable[[str], io.StringIO]


@pytest.fixture
def configure(monkeypatch: pytest.MonkeyPatch) -> Iterator[Configure]:
    """``configure_logging(level)`` onto a stderr that is a string (returned); logging as it
    was afterwards."""
    saved = [
        (logging.getLogger(n), logging.getLogger(n).handlers[:], logging.getLogger(n).level)
        for n in _LOGGERS
    ]
    propagate = {n: logging.getLogger(n).propagate for n in _LOGGERS}

    def run(level: str) -> io.StringIO:
        stream = io.StringIO()
        monkeypatch.setattr(sys, "stderr", stream)
        configure_logging(level)
        return stream

    try:
        yield run
    finally:
        for logger, handlers, level in saved:
            logger.handlers[:] = handlers
            logger.setLevel(level)
        for name, value in propagate.items():
            logging.getLogger(name).propagate = value
        ACCESS_LINES.stream = None


def _lines(stream: io.StringIO, path: str) -> list[dict[str, object]]:
    docs = [json.loads(line) for line in stream.getvalue().splitlines()]
    return [d for d in docs if d.get("logger") == "server.access" and d.get("path") == path]


def test_a_served_server_writes_one_line_per_request_as_logging_would(
    server: Server, configure: Configure
) -> None:
    log_stream = configure("INFO")
    assert ACCESS_LINES.stream is log_stream
    records: list[logging.LogRecord] = []
    access = logging.getLogger("server.access")
    access.addFilter(records.append)  # any record made for it (none: the line is written)
    try:
        answer = httpx.get(f"{server.url}/api/v1/nothing-here", timeout=30)
    finally:
        access.removeFilter(records.append)
    assert records == []
    assert answer.status_code == 404
    (line,) = _lines(log_stream, "/api/v1/nothing-here")
    assert line["request_id"] == answer.headers["x-request-id"]
    assert (line["method"], line["status"], line["level"], line["message"]) == (
        "GET",
        404,
        "info",
        "request",
    )
    assert isinstance(line["ms"], float) and line["ms"] >= 0

    # The same request's line as ``logging`` writes it has the same fields, in the same order.
    record = logging.getLogger("server.access").makeRecord(
        "server.access", logging.INFO, "", 0, "request", (), None,
        extra={"method": "GET", "path": "/api/v1/nothing-here", "status": 404, "ms": 1.0},
    )  # fmt: skip
    assert list(json.loads(JsonFormatter().format(record))) == [
        k for k in line if k != "request_id"
    ]
    time_now = JsonFormatter().formatTime(record, "%Y-%m-%dT%H:%M:%S")
    assert str(line["time"])[:13] == time_now[:13]  # same form, local time, to the second


def test_a_path_that_needs_escaping_is_still_one_line_of_json(
    server: Server, configure: Configure
) -> None:
    log_stream = configure("INFO")
    path = '/api/v1/"quoted"\\slash\u00e9'
    httpx.get(f"{server.url}{httpx.URL(path)}", timeout=30)
    assert len(_lines(log_stream, path)) == 1


def test_no_access_lines_above_info(server: Server, configure: Configure) -> None:
    log_stream = configure("WARNING")
    assert ACCESS_LINES.stream is None
    httpx.get(f"{server.url}/api/v1/nothing-here", timeout=30)
    assert _lines(log_stream, "/api/v1/nothing-here") == []


def test_without_configure_logging_the_line_goes_through_logging(
    server: Server, caplog: pytest.LogCaptureFixture
) -> None:
    assert ACCESS_LINES.stream is None
    with caplog.at_level(logging.INFO, logger="server.access"):
        answer = httpx.get(f"{server.url}/api/v1/nothing-here", timeout=30)
    (record,) = [r for r in caplog.records if getattr(r, "path", "") == "/api/v1/nothing-here"]
    assert (record.getMessage(), getattr(record, "status", None)) == ("request", 404)
    assert answer.headers["x-request-id"]
