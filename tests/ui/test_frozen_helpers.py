"""A frozen bundle starts its helper processes by running its one program with ``-m``."""

import sys

import pytest

from app.cache import Cache
from app.helper_processes import HELPER_MODULES
from ui import main as console_main


def test_a_frozen_bundle_runs_the_cache_writer(monkeypatch, tmp_path):
    monkeypatch.setattr(sys, "frozen", True, raising=False)
    monkeypatch.setattr(sys, "argv", list(sys.argv))
    Cache(tmp_path / "c.sqlite3").close()
    # The writer refuses a parent that is not its own: exit code 1, not argparse's 2.
    with pytest.raises(SystemExit) as stopped:
        console_main.main(["-m", "app.cache.writer_child", "1", str(tmp_path / "c.sqlite3")])
    assert stopped.value.code == 1


def test_only_known_helpers_run_and_only_when_frozen(monkeypatch):
    monkeypatch.setattr(sys, "argv", list(sys.argv))
    console_main.run_helper(["-m", "app.cache.writer_child", "1", "x"])  # not frozen: no-op
    monkeypatch.setattr(sys, "frozen", True, raising=False)
    console_main.run_helper(["-m", "os", "x"])  # not one of ours: no-op
    with pytest.raises(SystemExit) as stopped:
        console_main.main(["-m", "os"])  # so it is an unknown console argument
    assert stopped.value.code == 2


def test_helpers_are_dispatched_before_any_qt_import(tmp_path):
    # A fresh interpreter, as a frozen bundle's helper process is: the helper runs (here it
    # refuses a parent that is not its own) before anything imports PySide6 or qasync.
    import subprocess

    probe = (
        "import runpy, sys\n"
        "sys.frozen = True\n"
        "seen = []\n"
        "real = runpy.run_module\n"
        "def run(name, **kw):\n"
        "    qt = ('PySide6', 'qasync')\n"
        "    seen.append(sorted(m for m in sys.modules if m.split('.')[0] in qt))\n"
        "    print(seen[0], flush=True)\n"
        "    return real(name, **kw)\n"
        "runpy.run_module = run\n"
        "from ui import main\n"
        "main.main(sys.argv[1:])\n"
    )
    for helper in sorted(HELPER_MODULES):
        out = subprocess.run(
            [sys.executable, "-c", probe, "-m", helper, "1", str(tmp_path / "x"), "y"],
            capture_output=True,
            text=True,
            check=False,
        ).stdout
        assert out.splitlines()[0] == "[]", f"{helper}: {out}"


def test_every_helper_the_console_starts_is_in_the_list():
    import ast
    from pathlib import Path

    import app

    started = set()
    for path in Path(app.__file__).parent.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Call) and getattr(node.func, "id", "") == "helper_command":
                started.add(node.args[0].value)
            mentions_m = isinstance(node, ast.Constant) and node.value == "-m"
            if mentions_m and path.name != "helper_processes.py":
                raise AssertionError(f"{path} starts a module without helper_command")
    assert started == set(HELPER_MODULES) == {
        "app.server_child", "app.cache.writer_child", "app.index_builder"
    }  # fmt: skip
