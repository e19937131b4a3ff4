"""PrefixedRouter: paths outside the prefix are declined at once; inside, FastAPI decides."""

from __future__ import annotations

import asyncio

import httpx
from fastapi import FastAPI

from server.prefixed_router import PrefixedRouter


def _app() -> tuple[FastAPI, PrefixedRouter]:
    router = PrefixedRouter(prefix="/shop/{name}")

    @router.get("/items")
    def items(name: str) -> dict[str, str]:
        return {"shop": name}

    app = FastAPI()
    app.include_router(router)

    @app.get("/other")
    def other() -> dict[str, str]:
        return {"other": "yes"}

    return app, router


def test_paths_inside_the_prefix_route_as_before() -> None:
    app, _ = _app()

    async def check() -> None:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            assert (await client.get("/shop/corner/items")).json() == {"shop": "corner"}
            assert (await client.post("/shop/corner/items")).status_code == 405
            slash = await client.get("/shop/corner/items/")
            assert slash.status_code == 307
            assert slash.headers["location"].endswith("/shop/corner/items")
            assert (await client.get("/shop/corner/nothing")).status_code == 404
            assert (await client.get("/other")).json() == {"other": "yes"}
            assert (await client.get("/elsewhere")).status_code == 404

    asyncio.run(check())


def test_a_path_outside_the_prefix_never_reaches_the_routes() -> None:
    app, router = _app()

    def refuse(*_: object) -> None:
        raise AssertionError("a route was tried for a path outside the prefix")

    for route in router.routes:
        route.matches = refuse  # type: ignore[method-assign]

    async def check() -> None:
        transport = httpx.ASGITransport(app=app, raise_app_exceptions=True)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            assert (await client.get("/other")).json() == {"other": "yes"}

    asyncio.run(check())
