"""Staff tokens kept in the system keyring under (server, email); never the password.

Without a usable keyring the token lives in memory for this run only: nothing secret is ever
written to a plain file.

``keyring`` (and the backends it loads) is imported when a token is first read or kept, not at
the console's start: the local workspace never needs it.
"""

from __future__ import annotations

import logging
from types import ModuleType

log = logging.getLogger(__name__)

SERVICE_PREFIX = "toolbag-portal"

NO_KEYRING_MESSAGE = (
    "This computer has no password store the console can use, so it cannot remember your "
    "sign-in. You will be asked to sign in again next time."
)


def _keyring() -> ModuleType:
    import keyring
    import keyring.errors  # the errors the callers catch

    return keyring


def keyring_usable() -> bool:
    """Whether a real keyring backend is available (checked on each call)."""
    from keyring.backends import fail

    try:
        backend = _keyring().get_keyring()
    except Exception:  # a broken backend configuration is "no keyring"
        log.warning("keyring backend could not be loaded", exc_info=True)
        return False
    return not isinstance(backend, fail.Keyring)


def sign_in_note() -> str:
    """What the sign-in dialog says about remembering the sign-in, true to this computer."""
    if keyring_usable():
        return (
            "Sign in to your business's portal server. The console keeps the sign-in in this "
            "computer's password store (never your password), so it opens next time without "
            "asking."
        )
    return (
        "Sign in to your business's portal server. This computer has no password store the "
        "console can use, so it will ask for your password again next time it starts."
    )


def _service(server_url: str) -> str:
    return f"{SERVICE_PREFIX}:{server_url.rstrip('/')}"


class CredentialStore:
    """Remembers tokens in keyring, or in memory when keyring is unusable."""

    def __init__(self) -> None:
        self._memory: dict[tuple[str, str], str] = {}
        self.problem: str | None = None

    @property
    def usable(self) -> bool:
        """Whether a real keyring backend is available (checked on each call)."""
        return keyring_usable()

    def save(self, server_url: str, email: str, token: str) -> bool:
        """Remember a token; False when it can be kept for this run only."""
        key = (server_url.rstrip("/"), email.lower())
        self._memory[key] = token
        if not self.usable:
            self.problem = NO_KEYRING_MESSAGE
            return False
        keyring = _keyring()
        try:
            keyring.set_password(_service(server_url), email.lower(), token)
        except (keyring.errors.KeyringError, RuntimeError, OSError) as exc:
            log.warning("keyring refused to store the token: %s", exc)
            self.problem = NO_KEYRING_MESSAGE
            return False
        self.problem = None
        return True

    def load(self, server_url: str, email: str) -> str | None:
        """The remembered token, or None."""
        key = (server_url.rstrip("/"), email.lower())
        if key in self._memory:
            return self._memory[key]
        if not self.usable:
            return None
        keyring = _keyring()
        try:
            token: str | None = keyring.get_password(_service(server_url), email.lower())
        except (keyring.errors.KeyringError, RuntimeError, OSError) as exc:
            log.warning("keyring could not be read: %s", exc)
            return None
        if token:
            self._memory[key] = token
        return token

    def delete(self, server_url: str, email: str) -> None:
        """Forget the token everywhere."""
        self._memory.pop((server_url.rstrip("/"), email.lower()), None)
        if not self.usable:
            return
        keyring = _keyring()
        try:
            keyring.delete_password(_service(server_url), email.lower())
        except keyring.errors.PasswordDeleteError:
            pass  # nothing was stored
        except (keyring.errors.KeyringError, RuntimeError, OSError) as exc:
            log.warning("keyring could not delete the token: %s", exc)
