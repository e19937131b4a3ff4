"""Every staff route declares the permission it needs; a missing permission is a JSON 403."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from fastapi import FastAPI
from fastapi.dependencies.models import Dependant
from fastapi.routing import iter_route_contexts

from server.app import create_app
from server.deps import _Need
from server.domain.permissions import DEFAULT_PERMISSIONS, Permission
from server.settings import Settings
from tests.server.conftest import Server
from tests.support.workspaces import TestWorkspace

# Routes open to anyone (signing in) or to every signed-in staff member whatever their role.
NO_PERMISSION = {
    ("POST", "/api/v1/auth/token"),  # signing in
}
ANY_STAFF = {
    ("GET", "/api/v1/auth/me"),
    ("DELETE", "/api/v1/auth/token"),  # signing out
}


def _permissions(dependant: Dependant) -> Iterator[Permission]:
    for sub in dependant.dependencies:
        if isinstance(sub.call, _Need):
            yield sub.call.permission
        yield from _permissions(sub)


def staff_routes(app: FastAPI) -> list[tuple[str, str, set[Permission]]]:
    """(method, path, permissions declared) of every route under /api/v1."""
    found = []
    for route in iter_route_contexts(app.routes):
        path = route.path or ""
        if not path.startswith("/api/v1"):
            continue
        perms = set(_permissions(route.dependant))
        for method in sorted(route.methods or ()):
            if method != "HEAD":
                found.append((method, path, perms))
    return found


@pytest.fixture(scope="module")
def app() -> FastAPI:
    """The app as served, without a server: only its routes are read."""
    return create_app(Settings(database_url="sqlite://"))


def test_every_staff_route_declares_a_permission(app: FastAPI) -> None:
    routes = staff_routes(app)
    assert len(routes) >= 20  # the walk really sees the included routers
    undeclared = [
        f"{m} {p}"
        for m, p, perms in routes
        if not perms and (m, p) not in NO_PERMISSION | ANY_STAFF
    ]
    assert undeclared == [], "routes without need(Permission.X): " + ", ".join(undeclared)
    # The allow-list stays honest: each entry exists and really declares nothing.
    listed = {(m, p): perms for m, p, perms in routes}
    for key in NO_PERMISSION | ANY_STAFF:
        assert key in listed and not listed[key], key


def test_settings_routes_need_what_they_should(app: FastAPI) -> None:
    listed = {(m, p): perms for m, p, perms in staff_routes(app)}
    expected = {
        ("PATCH", "/api/v1/workspace"): Permission.EDIT_WORKSPACE,
        ("POST", "/api/v1/branding/publish"): Permission.EDIT_BRANDING,
        ("POST", "/api/v1/branding/logo"): Permission.EDIT_BRANDING,
        ("POST", "/api/v1/visibility-policy/publish"): Permission.EDIT_VISIBILITY,
        ("PUT", "/api/v1/team/permissions"): Permission.MANAGE_TEAM,
        ("POST", "/api/v1/files/{kind}/{file_id}/review"): Permission.REVIEW_FILES,
    }
    for key, perm in expected.items():
        assert listed[key] == {perm}, key


def _dispatcher_lacks(app: FastAPI) -> list[tuple[str, str]]:
    lacking = DEFAULT_PERMISSIONS["dispatcher"]
    return [(m, p) for m, p, perms in staff_routes(app) if perms and not perms <= lacking]


def test_dispatcher_gets_json_403_on_manager_routes(server: Server, ws: TestWorkspace) -> None:
    routes = _dispatcher_lacks(server.app)
    assert ("POST", "/api/v1/branding/publish") in routes
    c = ws.client("dispatcher")
    wrong = []
    for method, path in routes:
        # The permission is checked before ids and bodies are looked at.
        url = re.sub(r"\{[^}]+\}", "1", path)
        body = {} if method in ("POST", "PUT", "PATCH") else None
        r = c.request(method, url, json=body, headers={"If-Match": '"1"'})
        if r.status_code == 415:  # an upload route: give it the shape it parses first
            files = {"file": ("a.pdf", b"%PDF-1.4\n")}
            r = c.request(method, url, files=files, headers={"If-Match": '"1"'})
        json_403 = r.status_code == 403 and r.headers["content-type"] == "application/json"
        if not (json_403 and "permission" in r.json()["detail"]):
            wrong.append(f"{method} {path} -> {r.status_code} {r.text[:80]}")
    assert wrong == [], "\n".join(wrong)
