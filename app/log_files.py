"""The console's log: a rotating file in platformdirs' log folder."""

from __future__ import annotations

import logging
import logging.handlers
from pathlib import Path

from app import paths

LOG_NAME = "console.log"


def log_file() -> Path:
    """Where the console writes its log."""
    return paths.log_dir() / LOG_NAME


def configure(level: str = "INFO") -> Path:
    """Send the console's log records to a rotating file (1 MiB, 5 kept); returns its path."""
    path = log_file()
    root = logging.getLogger()
    if not any(getattr(h, "baseFilename", None) == str(path) for h in root.handlers):
        handler = logging.handlers.RotatingFileHandler(
            path, maxBytes=1_048_576, backupCount=5, encoding="utf-8"
        )
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
        root.addHandler(handler)
    root.setLevel(getattr(logging, level.upper(), logging.INFO))
    # httpx logs every request at INFO; that is noise in an all-day log.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    return path
