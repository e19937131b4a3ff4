"""app/ is the console core without Qt: no module of it may import PySide6 or ui."""

import pkgutil
import subprocess
import sys
from pathlib import Path

import app

MODULES = [
    *sorted(m.name for m in pkgutil.walk_packages(app.__path__, prefix="app.") if not m.ispkg),
    "app",
    "app.cache",
]


def test_every_app_module_is_listed():
    assert "app.sync" in MODULES and "app.cache.rows" in MODULES and len(MODULES) >= 12


def test_no_app_module_imports_qt_or_ui():
    probe = (
        "import importlib, sys\n"
        "bad = {}\n"
        "for name in sys.argv[1:]:\n"
        "    before = set(sys.modules)\n"
        "    importlib.import_module(name)\n"
        "roots = ('PySide6', 'ui', 'qasync')\n"
        "leaked = sorted(m for m in sys.modules if m.split('.')[0] in roots)\n"
        "print(','.join(leaked))\n"
    )
    for name in MODULES:  # one process per module: one module's imports cannot hide another's
        out = subprocess.run(
            [sys.executable, "-c", probe, name],
            capture_output=True,
            text=True,
            check=True,
            cwd=Path(app.__file__).parent.parent,
        ).stdout.strip()
        assert out == "", f"{name} imports {out}"
