"""Routes meet the rest of the server in one place, `server/deps.py`, not in each other."""

from __future__ import annotations

import ast
from pathlib import Path

SERVER = Path(__file__).resolve().parents[2] / "server"


def _imports(path: Path) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
    return found


def test_portal_and_records_do_not_import_the_staff_api() -> None:
    offenders = {
        f"{path.relative_to(SERVER.parent)} imports {name}"
        for package in ("portal", "records")
        for path in (SERVER / package).rglob("*.py")
        for name in _imports(path)
        if name == "server.api" or name.startswith("server.api.")
    }
    assert not offenders, "take shared dependencies from server.deps: " + "; ".join(
        sorted(offenders)
    )


def test_shared_dependencies_live_in_server_deps() -> None:
    assert not (SERVER / "api" / "deps.py").exists(), "server/deps.py is the one place for them"
    import server.deps as deps

    for name in ("DB", "AppSettings", "PublicBaseUrl", "Staff", "StaffContext", "need"):
        assert hasattr(deps, name), name
