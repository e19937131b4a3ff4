"""A frozen bundle starts its helper processes by running its one program with ``-m``."""

import sys

import pytest

from app.cache import Cache
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
