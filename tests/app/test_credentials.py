"""Tokens go to keyring under (server, email); without a keyring, memory only, never a file."""

import keyring
from keyring.backends import fail

from app.credentials import NO_KEYRING_MESSAGE, CredentialStore


def test_tokens_are_kept_in_keyring_per_server_and_email(memory_keyring):
    store = CredentialStore()
    assert store.usable
    assert store.save("https://a.example/", "Ann@Example.com", "tok-a")
    assert store.save("https://b.example", "ann@example.com", "tok-b")
    assert memory_keyring.secrets == {
        ("toolbag-portal:https://a.example", "ann@example.com"): "tok-a",
        ("toolbag-portal:https://b.example", "ann@example.com"): "tok-b",
    }
    fresh = CredentialStore()  # a new run reads it back from keyring
    assert fresh.load("https://a.example", "ann@example.com") == "tok-a"
    fresh.delete("https://a.example", "ann@example.com")
    assert CredentialStore().load("https://a.example", "ann@example.com") is None
    fresh.delete("https://a.example", "ann@example.com")  # deleting twice is fine


def test_without_a_keyring_the_token_lives_in_memory_only(console_home):
    previous = keyring.get_keyring()
    keyring.set_keyring(fail.Keyring())
    try:
        store = CredentialStore()
        assert not store.usable
        assert store.save("https://a.example", "ann@example.com", "secret-token") is False
        assert store.problem == NO_KEYRING_MESSAGE
        assert store.load("https://a.example", "ann@example.com") == "secret-token"
        assert CredentialStore().load("https://a.example", "ann@example.com") is None
    finally:
        keyring.set_keyring(previous)
    written = [p for p in console_home.rglob("*") if p.is_file()]
    assert not any("secret-token" in p.read_text(errors="ignore") for p in written)


def test_a_keyring_that_fails_to_store_is_reported(memory_keyring, monkeypatch):
    def broken(*_args):
        raise keyring.errors.KeyringLocked("locked")

    monkeypatch.setattr(memory_keyring, "set_password", broken)
    store = CredentialStore()
    assert store.save("https://a.example", "ann@example.com", "tok") is False
    assert store.problem == NO_KEYRING_MESSAGE
    assert store.load("https://a.example", "ann@example.com") == "tok"


def test_the_sign_in_note_tells_the_truth_about_remembering(memory_keyring):
    from app.credentials import sign_in_note

    assert "opens next time without asking" in sign_in_note()
    previous = keyring.get_keyring()
    keyring.set_keyring(fail.Keyring())
    try:
        note = sign_in_note()
    finally:
        keyring.set_keyring(previous)
    assert "will ask for your password again next time" in note
    assert "remembers" not in note and "keeps the sign-in" not in note
