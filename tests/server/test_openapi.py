"""The staff API contract is snapshotted: any change to it shows up as a diff of openapi.json.

Regenerate after an intended change: ``UPDATE_OPENAPI_SNAPSHOT=1`` while running this file.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from server.app import create_app
from server.settings import Settings

SNAPSHOT = Path(__file__).with_name("openapi.snapshot.json")


def _current(tmp_path: Path) -> dict[str, object]:
    app = create_app(Settings(data_dir=tmp_path, database_url=None))
    doc = app.openapi()
    doc["info"]["version"] = "snapshot"  # the version changes with every release, the contract not
    app.state.engine.dispose()
    return doc


def test_openapi_matches_snapshot(tmp_path: Path) -> None:
    current = _current(tmp_path)
    text = json.dumps(current, indent=2, sort_keys=True) + "\n"
    if os.environ.get("UPDATE_OPENAPI_SNAPSHOT") == "1":
        SNAPSHOT.write_text(text)
    assert SNAPSHOT.exists(), "no snapshot yet: run with UPDATE_OPENAPI_SNAPSHOT=1"
    assert text == SNAPSHOT.read_text(), (
        "The API contract changed. Review the diff, then regenerate with UPDATE_OPENAPI_SNAPSHOT=1."
    )


def test_contract_points_are_present(tmp_path: Path) -> None:
    paths = _current(tmp_path)["paths"]
    assert isinstance(paths, dict)
    for required in (
        "/healthz",
        "/api/v1/auth/token",
        "/api/v1/customers",
        "/api/v1/customers/{customer_id}",
        "/api/v1/changes",
        "/api/v1/workspace",
        "/api/v1/branding",
        "/api/v1/visibility-policy",
    ):
        assert required in paths, required
    assert not any(p.startswith("/p/") for p in paths), "portal pages are not part of the API"
