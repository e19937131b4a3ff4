"""Staff sign-in, tokens, and error bodies."""

from __future__ import annotations

import httpx

from tests.support.workspaces import PASSWORD, TestWorkspace


def test_health(anon: httpx.Client) -> None:
    r = anon.get("/healthz")
    assert r.status_code == 200
    assert r.json()["status"] == "ok"


def test_sign_in_and_me(anon: httpx.Client, ws: TestWorkspace) -> None:
    r = anon.post("/api/v1/auth/token", json={"email": ws.emails["manager"], "password": PASSWORD})
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["token_type"] == "bearer" and len(body["access_token"]) >= 43
    me = anon.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {body['access_token']}"})
    assert me.status_code == 200
    assert me.json()["role"] == "manager"
    assert me.json()["workspace_slug"] == ws.slug
    assert "manage_team" not in me.json()["permissions"]


def test_wrong_password_and_unknown_email_answer_alike(
    anon: httpx.Client, ws: TestWorkspace
) -> None:
    wrong = anon.post(
        "/api/v1/auth/token", json={"email": ws.emails["owner"], "password": "nope-nope"}
    )
    unknown = anon.post("/api/v1/auth/token", json={"email": "nobody@example.com", "password": "x"})
    assert wrong.status_code == unknown.status_code == 401
    assert wrong.json()["detail"] == unknown.json()["detail"]


def test_sign_out_revokes(anon: httpx.Client, ws: TestWorkspace) -> None:
    c = ws.client("dispatcher")
    assert c.delete("/api/v1/auth/token").status_code == 204
    r = c.get("/api/v1/auth/me")
    assert r.status_code == 401
    assert "ended" in r.json()["detail"]


def test_missing_and_malformed_tokens(anon: httpx.Client) -> None:
    r = anon.get("/api/v1/auth/me")
    assert r.status_code == 401 and r.json()["detail"]
    r = anon.get("/api/v1/auth/me", headers={"Authorization": "Basic abc"})
    assert r.status_code == 401 and "Bearer" in r.json()["detail"]


def test_bad_bodies(anon: httpx.Client) -> None:
    r = anon.post(
        "/api/v1/auth/token", content=b"{not json", headers={"Content-Type": "application/json"}
    )
    assert r.status_code == 400
    assert r.json()["detail"] == "The request body is not valid JSON."
    r = anon.post("/api/v1/auth/token", json={"email": "a@b.c", "password": "x", "role": "owner"})
    assert r.status_code == 422
    assert r.json()["errors"]["role"] == "This field is not accepted here."


def test_unknown_route_is_json_404(anon: httpx.Client) -> None:
    r = anon.get("/api/v1/nothing-here")
    assert r.status_code == 404
    assert r.json()["detail"] == "Not found."
    assert r.headers["x-content-type-options"] == "nosniff"
    assert r.headers["x-request-id"]
