"""The application factory of the portal server."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from functools import partial
from importlib.metadata import PackageNotFoundError, version
from typing import TYPE_CHECKING

from fastapi import FastAPI
from sqlalchemy import Engine, make_url, text
from sqlalchemy.exc import DBAPIError

from server import held_invite_sender, housekeeping
from server.api.docs import install_docs
from server.api.error_responses import install_error_responses
from server.api.errors import install_error_handlers
from server.api.idempotency import Idempotency
from server.api.middleware import RequestContext
from server.api.routes import api_router
from server.connection_spread import ConnectionSpread
from server.db import planner_stats
from server.db.engine import (
    make_engine,
    make_read_sessionmaker,
    make_sessionmaker,
    read_engine,
)
from server.domain import follow_up_causes
from server.domain.home_views import HomeCache
from server.domain.messages import compile_messages
from server.domain.visit_cache import VisitCache
from server.domain.visit_notes import VisitNotes, keep_writing
from server.heap import freeze_startup_objects
from server.mail import sender as mail_sender
from server.portal import staff_join
from server.portal.errors import install as install_portal
from server.portal.home_pages import HomePages
from server.portal.render import compile_pages
from server.portal.routes import router as portal_router
from server.records.routes import router as records_router
from server.route_warmup import warm_routes
from server.settings import Settings

if TYPE_CHECKING:
    from server.db.loop_reads import LoopReads

log = logging.getLogger("server.app")


def server_version() -> str:
    """The installed version of the distribution."""
    try:
        return version("toolbag-portal")
    except PackageNotFoundError:  # running from a source tree that was never installed
        return "0.0.0"


async def _note_visits(app: FastAPI) -> Callable[[], Awaitable[None]]:
    """Background starter: write the visits read-only pages noted, every few seconds."""
    return await keep_writing(app.state.visits.notes, app.state.sessionmaker)


def _planner_statistics(engine: Engine) -> None:
    """Fresh statistics for SQLite's planner before the first request (``planner_stats``);
    a database busy or read-only now is not a reason not to start."""
    try:
        planner_stats.refresh(engine)
    except DBAPIError:
        log.warning("could not gather the query planner's statistics now", exc_info=True)


def loop_reads_for(url: str) -> LoopReads | None:
    """The event loop's reads on PostgreSQL; None on SQLite, whose driver only blocks. The
    module (and asyncpg, a tenth of a second to import) is loaded only for PostgreSQL, so the
    console's own SQLite server does not start slower for it."""
    if make_url(url).get_backend_name() != "postgresql":
        return None
    from server.db.loop_reads import LoopReads  # here, not at the top: see the docstring

    return LoopReads(url)


def create_app(settings: Settings) -> FastAPI:
    """Build the ASGI app for one database. Migrations are the caller's job (see cli.serve)."""
    engine = make_engine(settings.resolved_database_url)
    loop_reads = loop_reads_for(settings.resolved_database_url)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        await asyncio.to_thread(_planner_statistics, engine)
        # Background work (the mail sender) registers a starter: app -> stop coroutine.
        stops = [await start(app) for start in app.state.background_starters]
        # Before the server answers: the first requests need not prepare the routes or compile
        # the templates, and they are frozen out of the collector with the rest of start-up.
        warm_routes(app)
        compile_pages()
        compile_messages()
        freeze_startup_objects()
        try:
            yield
        finally:
            for stop in stops:
                await stop()
            engine.dispose()
            if loop_reads is not None:
                await loop_reads.close()

    app = FastAPI(
        title="Toolbag Portal",
        version=server_version(),
        description="Staff API, CRM records intake and customer portal of ToolbagCRM.",
        lifespan=lifespan,
        docs_url=None,  # served by install_docs without a CDN
        redoc_url=None,
    )
    app.state.settings = settings
    app.state.engine = engine
    app.state.sessionmaker = make_sessionmaker(engine)
    app.state.read_sessionmaker = make_read_sessionmaker(engine, app.state.sessionmaker)
    app.state.read_engine = read_engine(engine)
    app.state.loop_reads = loop_reads
    app.state.home_views = HomeCache()
    app.state.home_pages = HomePages()
    app.state.visits = VisitCache(VisitNotes())
    app.state.background_starters = [
        mail_sender.start,
        housekeeping.start,
        _note_visits,
        held_invite_sender.start,
    ]
    # Mail given up on becomes a follow-up item in the sender's transaction.
    app.state.mail_failed_hook = follow_up_causes.mail_failed
    # Idempotency runs inside RequestContext so its own answers carry the request id.
    app.add_middleware(Idempotency)
    app.add_middleware(RequestContext)
    if settings.workers > 1:
        # Several workers share one socket: kept-alive connections are handed back now and
        # then so that they spread over the workers instead of staying with the first to
        # accept. A single worker has nobody to hand them to, so it keeps them.
        app.add_middleware(ConnectionSpread)
    install_error_handlers(app)
    install_error_responses(app, partial(FastAPI.openapi, app))

    @app.get("/healthz", tags=["health"])
    def healthz() -> dict[str, str]:
        """Liveness and database reachability."""
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        return {"status": "ok", "version": app.version}

    install_docs(app)
    app.include_router(records_router)
    app.include_router(api_router)
    app.include_router(portal_router)
    app.include_router(staff_join.router)
    install_portal(app)
    return app
