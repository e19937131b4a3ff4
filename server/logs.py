"""Structured (JSON lines) logging with the request id of the request being served."""

from __future__ import annotations

import json
import logging
import time
from contextvars import ContextVar
from typing import TextIO

request_id_var: ContextVar[str | None] = ContextVar("request_id", default=None)

_STANDARD = set(logging.makeLogRecord({}).__dict__) | {"message", "asctime"}


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, request id and any extras."""

    def format(self, record: logging.LogRecord) -> str:
        doc: dict[str, object] = {
            "time": self.formatTime(record, TIME_FORMAT),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        rid = request_id_var.get()
        if rid:
            doc["request_id"] = rid
        for key, value in record.__dict__.items():
            if key not in _STANDARD and not key.startswith("_"):
                doc[key] = value
        if record.exc_info:
            doc["exception"] = self.formatException(record.exc_info)
        return json.dumps(doc, default=str)


TIME_FORMAT = "%Y-%m-%dT%H:%M:%S"
ACCESS_LOGGER = "server.access"


class AccessLines:
    """The access log's line of each request, written straight to the log's stream.

    Through ``logging`` that line cost a worker about 50 µs of CPU per request (a record, its
    extras, the formatter, the handler), a tenth of a portal page answered from memory. Here
    it is the same JSON object ``JsonFormatter`` writes for ``logging.info("request", ...)``
    (time to the second, level, logger, message, request id, method, path, status, ms) in one
    ``json.dumps`` and one write of a whole line. Only where ``configure_logging`` chose the
    stream (a served server): elsewhere (tests, the console's own server) ``write`` answers
    False and the caller logs the line through ``logging``, configured as it is there.
    """

    def __init__(self) -> None:
        self.stream: TextIO | None = None
        self._second = -1
        self._time = ""

    def write(self, request_id: str, method: str, path: str, status: int, ms: float) -> bool:
        """Write one request's line; False when no stream is set (log it instead)."""
        stream = self.stream
        if stream is None:
            return False
        now = time.time()
        if int(now) != self._second:  # the time is written to the second: made once a second
            self._second = int(now)
            self._time = time.strftime(TIME_FORMAT, time.localtime(now))
        doc = {
            "time": self._time,
            "level": "info",
            "logger": ACCESS_LOGGER,
            "message": "request",
            "request_id": request_id,
            "method": method,
            "path": path,
            "status": status,
            "ms": ms,
        }
        stream.write(json.dumps(doc) + "\n")
        return True


ACCESS_LINES = AccessLines()


def configure_logging(level: str = "INFO") -> None:
    """Send the server's logs to stderr as JSON lines (access lines too, when INFO is on)."""
    handler = logging.StreamHandler()
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    access_on = logging.getLogger(ACCESS_LOGGER).isEnabledFor(logging.INFO)
    ACCESS_LINES.stream = handler.stream if access_on else None
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access"):
        logging.getLogger(name).handlers[:] = []
        logging.getLogger(name).propagate = True
    # The request-id middleware writes its own access line.
    logging.getLogger("uvicorn.access").setLevel(logging.WARNING)
