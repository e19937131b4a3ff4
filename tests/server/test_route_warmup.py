"""Routes are prepared when the server starts, not by the first request that needs them."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import fastapi.routing
import pytest
from fastapi.testclient import TestClient

from server.app import create_app
from server.db import migrate
from server.route_warmup import warm_routes
from server.settings import Settings


def _preparations(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Record each route FastAPI prepares (its lazily built per-route state)."""
    seen: list[str] = []
    context = fastapi.routing._EffectiveRouteContext
    original = context.from_api_route.__func__  # type: ignore[attr-defined]

    def counting(cls: Any, *args: Any, **kwargs: Any) -> Any:
        seen.append(str(getattr(kwargs.get("original_route"), "path", "?")))
        return original(cls, *args, **kwargs)

    monkeypatch.setattr(context, "from_api_route", classmethod(counting))
    return seen


def _app(tmp_path: Path) -> Any:
    url = f"sqlite:///{tmp_path / 'portal.sqlite3'}"
    return create_app(Settings(database_url=url, public_base_url="http://127.0.0.1:9"))


def test_first_request_prepares_nothing_after_the_warmup(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen = _preparations(monkeypatch)
    app = _app(tmp_path)
    assert warm_routes(app) > 1  # the app and its included routers
    assert any("/rollout/readiness" in path for path in seen)
    seen.clear()
    client = TestClient(app)  # no lifespan: only the warm-up above prepared anything
    assert client.get("/api/v1/rollout/readiness").status_code == 401
    assert seen == []


def test_without_the_warmup_the_first_request_prepares_the_routes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen = _preparations(monkeypatch)
    client = TestClient(_app(tmp_path))
    assert client.get("/api/v1/rollout/readiness").status_code == 401
    assert len(seen) > 10  # what the warm-up spares the first staff request


def test_the_server_warms_its_routes_before_it_answers(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen = _preparations(monkeypatch)
    app = _app(tmp_path)
    migrate.upgrade(app.state.engine)
    with TestClient(app) as client:  # runs the start-up, as uvicorn does
        assert any("/rollout/readiness" in path for path in seen)
        seen.clear()
        assert client.get("/api/v1/rollout/readiness").status_code == 401
        assert client.get("/healthz").status_code == 200
    assert seen == []


def test_the_server_compiles_its_templates_before_it_answers(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from server.domain import messages
    from server.portal import render

    loaded: list[str] = []
    for env in (render._env, messages._env):
        assert env.cache is not None
        env.cache.clear()  # as in a new worker
        original = env.loader.get_source  # type: ignore[union-attr]

        def counting(environment: Any, name: str, original: Any = original) -> Any:
            loaded.append(name)
            return original(environment, name)

        monkeypatch.setattr(env.loader, "get_source", counting)
    app = _app(tmp_path)
    migrate.upgrade(app.state.engine)
    with TestClient(app):  # runs the start-up, as uvicorn does
        assert "portal/home.html" in loaded and "portal/_job_card.html" in loaded
        assert "invite.html" in loaded and "receipt.txt" in loaded
        # The portal's pages only: its loader also sees the email folder, read by messages.
        assert not any(name.startswith("email/") for name in loaded)
        loaded.clear()
        render._env.get_template("portal/home.html")  # what a page does: nothing to load
        messages._env.get_template("reset.html")
        assert loaded == []
