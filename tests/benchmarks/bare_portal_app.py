"""The home page's floor: the same template, the same Jinja environment, in-memory data.

Run as its own process, served by uvicorn exactly as ``portal-server serve`` serves the
portal (one worker, the same logging set-up). At start it reads the signed-in contact's
context and builds the home page's view model once with ``home_view``; every request then
only renders ``portal/home.html`` from that model. What the real page costs on top is the
portal's own work: session lookup, queries, middleware.

Each threading model the portal's home route uses has its own path, so a figure compares
like with like: ``/home`` renders on a worker thread, taking turns with as many others as the
portal builds pages at once on that database (``page_builders``), as a page built from the
database is; ``/home-loop`` renders on the event loop, as a page answered from memory on
PostgreSQL is.

    python -m tests.benchmarks.bare_portal_app --database-url URL --account-id N --port P
"""

from __future__ import annotations

import argparse
import sys

import anyio
import anyio.to_thread
from fastapi import FastAPI
from fastapi.responses import HTMLResponse
from sqlalchemy import make_url, select
from sqlalchemy.orm import Session

from server.db.engine import make_engine
from server.db.models import Contact, Customer, PortalAccount, PortalSession, Workspace
from server.domain.branding import published_branding
from server.domain.portal_view_models import HomeView
from server.domain.portal_views import home_view
from server.domain.visibility import published_policy
from server.portal.deps import CustomerContext, page_builders
from server.portal.render import PAGE_HEADERS, render_text


def capture(database_url: str, account_id: int) -> tuple[CustomerContext, HomeView]:
    """The contact's page context (with their newest session's form token) and home model."""
    engine = make_engine(database_url, pool_size=1)
    try:
        with Session(engine, expire_on_commit=False) as db:
            account = db.get(PortalAccount, account_id)
            assert account is not None, "no such portal account"
            ws = db.get(Workspace, account.workspace_id)
            contact = db.get(Contact, account.contact_id)
            customer = db.get(Customer, account.customer_id)
            session = db.scalar(
                select(PortalSession)
                .where(PortalSession.account_id == account_id, PortalSession.revoked_at.is_(None))
                .order_by(PortalSession.id.desc())
                .limit(1)
            )
            assert ws and contact and customer and session, "sign in before starting"
            ctx = CustomerContext(
                workspace=ws,
                branding=published_branding(ws),
                policy=published_policy(ws),
                account=account,
                contact=contact,
                customer=customer,
                session=session,
                is_preview=False,
                csrf_token=session.csrf_token,
            )
            model = home_view(db, ctx.scope)
            # Render once while the rows are attached, so every attribute is loaded.
            page(ctx, model)
            return ctx, model
    finally:
        engine.dispose()


def page(ctx: CustomerContext, model: HomeView) -> str:
    """The home page's text, rendered as the portal's route renders it."""
    return render_text("portal/home.html", ctx, home=model, notice=None, nav="home")


def create_app(ctx: CustomerContext, model: HomeView, builders_at_once: int) -> FastAPI:
    """``GET /home`` and ``GET /home-loop`` render the captured model; ``GET /healthz``
    answers at once."""
    app = FastAPI()
    builders: list[anyio.CapacityLimiter] = []  # made on first use, on the running loop

    def answer() -> HTMLResponse:
        return HTMLResponse(page(ctx, model), headers=PAGE_HEADERS)

    @app.get("/healthz")
    def healthz() -> dict[str, str]:
        """Ready."""
        return {"status": "ok"}

    @app.get("/home")
    async def home() -> HTMLResponse:
        """The same template and headers as the portal's home page, on a worker thread."""
        if not builders:
            builders.append(anyio.CapacityLimiter(builders_at_once))
        return await anyio.to_thread.run_sync(answer, limiter=builders[0])

    @app.get("/home-loop")
    async def home_loop() -> HTMLResponse:
        """The same, rendered on the event loop."""
        return answer()

    return app


def main(argv: list[str]) -> int:
    """Capture, then serve until stopped."""
    import uvicorn

    from server.heap import freeze_startup_objects
    from server.logs import configure_logging

    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--account-id", type=int, required=True)
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args(argv)
    ctx, model = capture(args.database_url, args.account_id)
    configure_logging("INFO")
    dialect = make_url(args.database_url).get_backend_name()
    app = create_app(ctx, model, page_builders(dialect))
    freeze_startup_objects()  # as the portal server does once started
    uvicorn.run(app, host="127.0.0.1", port=args.port, workers=1, log_config=None)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
