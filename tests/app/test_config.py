"""Settings are declared once, stored as JSON, and bad values are ignored with defaults kept."""

import json

import pytest

from app.config import SETTINGS, Config


def test_defaults_then_saved_values(console_home):
    config = Config()
    assert config.server_url == "" and config.sync_page_size == 1000
    config.set("server_url", "https://portal.example.com")
    config.set("request_timeout", 10)
    again = Config()
    assert again.server_url == "https://portal.example.com" and again.request_timeout == 10.0
    assert json.loads(config.path.read_text())["server_url"] == "https://portal.example.com"
    assert config.path.is_relative_to(console_home)


def test_every_setting_is_described_and_typed():
    assert len({s.name for s in SETTINGS}) == len(SETTINGS)
    for s in SETTINGS:
        assert s.description and isinstance(s.default, s.type)


def test_wrong_types_are_refused_and_unreadable_files_ignored(console_home):
    config = Config()
    with pytest.raises(TypeError):
        config.set("sync_page_size", "many")
    config.path.write_text('{"sync_page_size": "x", "unknown": 1, "last_email": "a@b.c"}')
    again = Config()
    assert again.sync_page_size == 1000 and again.last_email == "a@b.c"
    config.path.write_text("{not json")
    assert Config().last_email == ""
