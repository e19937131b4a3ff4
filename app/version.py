"""The console's version: the installed distribution's, as pyproject.toml declares it."""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version


def console_version() -> str:
    """The installed version of the console, or "development" in a tree never installed."""
    try:
        return version("toolbag-portal")
    except PackageNotFoundError:
        return "development"
