"""Desktop integration on Linux: the entry and metadata validate, and install.sh places and
removes the bundle, the entry, the metadata and the icons."""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
import tomllib
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from PySide6.QtGui import QImage

ROOT = Path(__file__).resolve().parents[2]
PACKAGING = ROOT / "packaging"
APP_ID = "io.toolbag.Portal"
INSTALL = PACKAGING / "linux" / "install.sh"
SIZES = (16, 22, 24, 32, 48, 64, 128, 256, 512)


def _tool(name: str) -> str:
    found = shutil.which(name)
    assert found, f"{name} is needed (Debian: desktop-file-utils, appstream)"
    return found


def test_desktop_entry_validates() -> None:
    entry = PACKAGING / f"{APP_ID}.desktop"
    done = subprocess.run(
        [_tool("desktop-file-validate"), str(entry)], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "error" not in done.stdout.lower()
    assert f"Icon={APP_ID}" in entry.read_text()


def test_metainfo_validates_and_names_the_current_version() -> None:
    metainfo = PACKAGING / f"{APP_ID}.metainfo.xml"
    done = subprocess.run(
        [_tool("appstreamcli"), "validate", "--no-net", str(metainfo)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    version = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["version"]
    releases = [r.get("version") for r in ET.parse(metainfo).getroot().iter("release")]
    assert version in releases, "add a <release> for the version in pyproject.toml"


@pytest.mark.parametrize("size", SIZES)
def test_an_icon_for_every_hicolor_size(size: int) -> None:
    png = PACKAGING / "icons" / "hicolor" / f"{size}x{size}" / "apps" / f"{APP_ID}.png"
    image = QImage(str(png))
    assert not image.isNull(), f"{png.name} at {size} px is missing or unreadable"
    assert (image.width(), image.height()) == (size, size)


def _fake_bundle(folder: Path) -> Path:
    """A folder shaped like the one `make package` builds, with a program that answers."""
    folder.mkdir()
    program = folder / "portal-console"
    program.write_text("#!/bin/sh\necho portal-console 0.1.0\n")
    program.chmod(program.stat().st_mode | stat.S_IXUSR)
    (folder / "_internal").mkdir()
    (folder / "_internal" / "base_library.zip").write_bytes(b"PK")
    return folder


def _run(*args: str, home: Path) -> subprocess.CompletedProcess[str]:
    env = {"PATH": os.environ["PATH"], "HOME": str(home)}
    return subprocess.run(
        ["sh", str(INSTALL), *args], capture_output=True, text=True, env=env, check=False
    )


def test_user_install_places_everything_and_uninstall_removes_it(tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    bundle = _fake_bundle(tmp_path / "toolbag-portal-0.1.0")

    done = _run("--user", "--bundle", str(bundle), home=home)
    assert done.returncode == 0, done.stderr
    share = home / ".local" / "share"
    program = share / "toolbag-portal" / "portal-console"
    assert program.exists() and (share / "toolbag-portal" / "_internal").is_dir()
    command = home / ".local" / "bin" / "portal-console"
    assert subprocess.run([str(command)], capture_output=True, text=True).stdout.startswith(
        "portal-console"
    )
    entry = (share / "applications" / f"{APP_ID}.desktop").read_text()
    assert f"Exec={program}" in entry  # a full path: ~/.local/bin may not be on PATH
    validated = subprocess.run(
        [_tool("desktop-file-validate"), str(share / "applications" / f"{APP_ID}.desktop")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert validated.returncode == 0, validated.stdout
    assert (share / "metainfo" / f"{APP_ID}.metainfo.xml").exists()
    for size in SIZES:
        assert (share / "icons" / "hicolor" / f"{size}x{size}" / "apps" / f"{APP_ID}.png").exists()
    assert (share / "icons" / "hicolor" / "scalable" / "apps" / f"{APP_ID}.svg").exists()

    # Installing again replaces the program folder whole: an old file does not linger.
    (share / "toolbag-portal" / "left-from-old-version").write_text("x")
    assert _run("--user", "--bundle", str(bundle), home=home).returncode == 0
    assert not (share / "toolbag-portal" / "left-from-old-version").exists()

    removed = _run("--user", "--uninstall", home=home)
    assert removed.returncode == 0, removed.stderr
    assert not (share / "toolbag-portal").exists()
    assert not command.exists() and not command.is_symlink()
    assert not (share / "applications" / f"{APP_ID}.desktop").exists()
    assert not list((share / "icons").rglob(f"{APP_ID}.*"))


def test_install_bad_input(tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    missing = _run("--user", "--bundle", str(tmp_path / "nowhere"), home=home)
    assert missing.returncode == 1 and "make package" in missing.stderr
    unknown = _run("--everywhere", home=home)
    assert unknown.returncode == 2 and "unknown option --everywhere" in unknown.stderr
    assert not (home / ".local").exists()  # nothing half-installed
