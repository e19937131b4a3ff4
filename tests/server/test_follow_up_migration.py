"""Upgrading keeps the inbox for roles whose permissions a workspace saved itself."""

from __future__ import annotations

import importlib.util
from pathlib import Path

from server.db.models import Workspace
from tests.server.conftest import Server
from tests.support.workspaces import TestWorkspace

MIGRATION = (
    Path(__file__).resolve().parents[2] / "server/migrations/versions/i15_follow_up_inbox.py"
)


def _migration():  # type: ignore[no-untyped-def]
    spec = importlib.util.spec_from_file_location("follow_up_migration", MIGRATION)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_saved_role_lists_gain_handle_follow_up_once(server: Server, ws: TestWorkspace) -> None:
    with server.sessionmaker() as s:
        workspace = s.get(Workspace, ws.id)
        assert workspace is not None
        workspace.permissions = {"dispatcher": ["view_customers", "invite"], "manager": []}
        version = workspace.permissions_version
        s.commit()
    with server.app.state.engine.begin() as conn:
        assert _migration().grant_follow_up_to_saved_roles(conn) >= 1
    with server.sessionmaker() as s:
        workspace = s.get(Workspace, ws.id)
        assert workspace is not None
        assert workspace.permissions == {
            "dispatcher": ["view_customers", "invite", "handle_follow_up"],
            "manager": ["handle_follow_up"],
        }
        assert workspace.permissions_version == version + 1
    # Run again: nothing more to add.
    with server.app.state.engine.begin() as conn:
        _migration().grant_follow_up_to_saved_roles(conn)
    with server.sessionmaker() as s:
        again = s.get(Workspace, ws.id)
        assert again is not None and again.permissions_version == version + 1
    # The dispatcher may work items again.
    me = ws.client("dispatcher").get("/api/v1/auth/me").json()
    assert "handle_follow_up" in me["permissions"]
