"""ASGI entry point for uvicorn workers: the app built from PORTAL_* environment variables."""

from __future__ import annotations

from fastapi import FastAPI

from server.app import create_app
from server.settings import Settings
from server.worker_watch import watch_supervisor


def create_from_env() -> FastAPI:
    """uvicorn factory: ``uvicorn --factory server.asgi:create_from_env``."""
    watch_supervisor()  # a worker of `serve --workers N` ends with its main process
    return create_app(Settings())
