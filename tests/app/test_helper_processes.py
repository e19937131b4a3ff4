"""Helper processes are started by module name with the console as their parent."""

import os
import sys

import pytest

from app.helper_processes import helper_command


def test_a_helper_command_names_this_interpreter_and_this_process():
    command = helper_command("app.cache.writer_child", "/tmp/c.sqlite3")
    assert command == [
        sys.executable, "-m", "app.cache.writer_child", str(os.getpid()), "/tmp/c.sqlite3"
    ]  # fmt: skip


def test_only_the_consoles_own_helpers_can_be_started():
    with pytest.raises(ValueError, match="not one of the console's helpers"):
        helper_command("os")
