"""A wheel of the project carries what the programs read as files at run time."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_wheel_carries_console_assets_templates_and_migrations(tmp_path: Path) -> None:
    build = ["wheel", "-q", "--no-deps", "--no-build-isolation", "-w", str(tmp_path)]
    done = subprocess.run(
        [sys.executable, "-m", "pip", *build, str(ROOT)],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    [wheel] = tmp_path.glob("toolbag_portal-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    icons = {p.name for p in (ROOT / "ui" / "assets" / "icons").glob("*.svg")}
    assert icons and {f"ui/assets/icons/{n}" for n in icons} <= names
    assert "ui/assets/console.qss" in names
    assert "server/templates/base.html" in names and "server/static/portal.css" in names
    revisions = {p.name for p in (ROOT / "server" / "migrations" / "versions").glob("*.py")}
    assert {f"server/migrations/versions/{n}" for n in revisions} <= names
    assert not any(n.startswith("resources/") for n in names)
