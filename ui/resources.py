"""Finds the console's icons and stylesheet, from a source tree or a frozen bundle."""

from __future__ import annotations

import sys
from functools import cache
from pathlib import Path

from PySide6.QtGui import QIcon


def resources_dir() -> Path:
    """The ``ui/assets`` folder: inside the ``ui`` package (so a wheel carries it), and at the
    same place inside a frozen bundle."""
    bundle = getattr(sys, "_MEIPASS", None)
    if bundle:
        return Path(bundle) / "ui" / "assets"
    return Path(__file__).resolve().parent / "assets"


def asset(name: str) -> Path:
    """The path of one resource file, e.g. ``icons/access.svg``."""
    return resources_dir() / name


@cache
def icon(name: str) -> QIcon:
    """An SVG icon from ``resources/icons`` by name (an empty icon when missing)."""
    path = asset(f"icons/{name}.svg")
    return QIcon(str(path)) if path.exists() else QIcon()


def stylesheet() -> str:
    """The console's stylesheet."""
    path = asset("console.qss")
    return path.read_text(encoding="utf-8") if path.exists() else ""
