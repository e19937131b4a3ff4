"""Cached customer data and remembered sign-ins are private to the user (not 0644)."""

import stat

from app import known_sessions, paths
from app.cache import Cache, remove_cache_files


def mode(path):
    return stat.S_IMODE(path.stat().st_mode)


def test_cache_files_and_folders_are_private(console_home):
    path = paths.cache_file("abc123")
    cache = Cache(path)
    cache.write({"data": [], "count": 0, "next_cursor": "1", "has_more": False})
    try:
        assert mode(paths.cache_dir()) == 0o700
        assert mode(path) == 0o600
        wal = path.with_name(path.name + "-wal")
        assert mode(wal) == 0o600  # SQLite gives its journal the database's mode
    finally:
        cache.close()
    for folder in (paths.config_dir(), paths.data_dir(), paths.log_dir()):
        assert mode(folder) == 0o700


def test_an_existing_open_cache_file_is_made_private(console_home):
    path = paths.cache_file("older")
    path.write_bytes(b"")
    path.chmod(0o644)
    Cache(path).close()
    assert mode(path) == 0o600


def test_removing_a_cache_leaves_nothing_behind(console_home):
    path = paths.cache_file("gone")
    cache = Cache(path)
    cache.index_path.write_bytes(b"index")
    cache.close()
    remove_cache_files(path)
    assert list(paths.cache_dir().iterdir()) == []


def test_remembered_sign_ins_are_private_and_can_be_forgotten(console_home):
    me = {"email": "a@example.com", "workspace_key": "k"}
    known_sessions.remember("https://portal.example.com/", "A@example.com", me)
    assert known_sessions.recall("https://portal.example.com", "a@example.com") == me
    assert mode(paths.config_dir() / known_sessions.FILE_NAME) == 0o600
    known_sessions.forget("https://portal.example.com", "a@example.com")
    assert known_sessions.recall("https://portal.example.com", "a@example.com") is None


def test_an_unreadable_remembered_file_is_ignored(console_home):
    (paths.config_dir() / known_sessions.FILE_NAME).write_text("{not json")
    assert known_sessions.recall("https://x.example.com", "a@example.com") is None


def test_caches_are_named_by_workspace_not_by_address():
    assert paths.cache_file("k1") == paths.cache_file("k1")
    assert paths.cache_file("k1") != paths.cache_file("k2")
    assert "/" not in paths.cache_file("../../etc").name.removeprefix("ws-")
