"""The built desktop bundle works as a user meets it (``make package-check``, run by CI).

It starts from empty home folders under Xvfb, creates and seeds the local workspace (so the
bundle carries the migrations and the server), shows the customer list, opens every panel,
quits, and leaves no process of its own behind.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import time
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
VERSION = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["version"]
BUNDLE = ROOT / "dist" / f"toolbag-portal-{VERSION}"
PROGRAM = BUNDLE / "portal-console"
PANELS = (
    "Access",
    "What customers see",
    "Preview",
    "File review",
    "Branding",
    "Rollout",
    "Team",
    "Settings",
)


@pytest.fixture(scope="module")
def program() -> Path:
    assert PROGRAM.exists(), f"no bundle at dist/{BUNDLE.name}: run 'make package' first"
    return PROGRAM


def _home(tmp_path: Path) -> dict[str, str]:
    home = tmp_path / "home"
    home.mkdir()
    keep = ("PATH", "LANG", "LC_ALL", "TZ")
    env = {k: v for k, v in os.environ.items() if k in keep}
    env |= {
        "HOME": str(home),
        "XDG_CONFIG_HOME": str(home / ".config"),
        "XDG_DATA_HOME": str(home / ".local" / "share"),
        "XDG_CACHE_HOME": str(home / ".cache"),
        "XDG_STATE_HOME": str(home / ".local" / "state"),
    }
    if os.geteuid() == 0:
        env["QTWEBENGINE_DISABLE_SANDBOX"] = "1"  # Chromium's sandbox refuses root
    return env


def _bundle_processes() -> list[str]:
    """Command lines of running processes whose program lives in the bundle."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            exe = os.readlink(entry / "exe")
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
        except OSError:
            continue
        if exe.startswith(str(BUNDLE)):
            found.append(f"{entry.name}: {cmdline}")
    return found


def test_version(program: Path, tmp_path: Path) -> None:
    done = subprocess.run(
        [str(program), "--version"],
        env=_home(tmp_path),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith(f"portal-console {VERSION} (Qt 6."), done.stdout


def test_starts_seeds_lists_opens_every_panel_and_quits(program: Path, tmp_path: Path) -> None:
    xvfb = shutil.which("xvfb-run")
    assert xvfb, "xvfb-run is needed (Debian: xvfb, xauth)"
    env = _home(tmp_path)
    done = subprocess.run(
        [xvfb, "-a", "-s", "-screen 0 1280x900x24", str(program), "--self-test"],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    output = done.stdout + done.stderr
    assert done.returncode == 0, output[-4000:]
    assert "self-test: customer list shows" in output, output[-4000:]
    # Every panel, Preview's QtWebEngine included, opened and finished loading; then the
    # console quit through File > Quit (it once stayed open for good at this point).
    for title in PANELS:
        opened = rf"self-test: panel '{re.escape(title)}[^']*' opened \("
        assert re.search(opened, output), f"{title}:\n{output[-4000:]}"
    assert "self-test: quitting" in output, output[-4000:]
    # The local workspace was created and migrated in the new home folder.
    databases = list(Path(env["XDG_DATA_HOME"]).rglob("portal.sqlite3"))
    assert databases, "the bundle did not create the local workspace's database"
    deadline = time.monotonic() + 15
    while _bundle_processes() and time.monotonic() < deadline:
        time.sleep(0.3)
    assert not _bundle_processes(), "left behind:\n" + "\n".join(_bundle_processes())
