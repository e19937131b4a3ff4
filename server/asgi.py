"""ASGI entry point for uvicorn workers: the app built from PORTAL_* environment variables."""

from __future__ import annotations

import gc
import os

if os.environ.get("PORTAL_WORKERS"):
    # A worker of ``serve`` starting: its imports make some 200,000 objects that live as long
    # as the process, and the collector's full passes over them while they pile up were a
    # fifth of a worker's start-up CPU (0.4-0.6 s of 2.2 s), taken from the workers still
    # answering in a rolling restart. Collected once and frozen, then switched back on,
    # when the server has started (``heap.freeze_startup_objects``).
    gc.disable()

from fastapi import FastAPI

from server.app import create_app
from server.settings import Settings
from server.worker_watch import watch_supervisor


def create_from_env() -> FastAPI:
    """uvicorn factory: ``uvicorn --factory server.asgi:create_from_env``.

    Needs ``PORTAL_PUBLIC_BASE_URL`` (``portal-server serve`` sets it): without it, links in
    emails would be built from whatever ``Host`` header a request carried.
    """
    watch_supervisor()  # a worker of `serve --workers N` ends with its main process
    settings = Settings()
    if settings.public_base_url is None:
        raise RuntimeError(
            "PORTAL_PUBLIC_BASE_URL is not set: give the address customers use, e.g. "
            "https://portal.example.com (every link in an email is built on it)."
        )
    return create_app(settings)
