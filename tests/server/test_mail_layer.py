"""`server/mail/` only sends: the domain queues mail, and nothing in mail/ imports it back."""

from __future__ import annotations

import ast
from pathlib import Path

SERVER = Path(__file__).resolve().parents[2] / "server"


def _imports(path: Path) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
    return found


def test_mail_imports_nothing_of_the_domain() -> None:
    offenders = sorted(
        f"{path.relative_to(SERVER.parent)} imports {name}"
        for path in (SERVER / "mail").rglob("*.py")
        for name in _imports(path)
        if name == "server.domain" or name.startswith("server.domain.")
    )
    assert not offenders, "; ".join(offenders)


def test_mail_holds_only_the_sender() -> None:
    modules = sorted(p.name for p in (SERVER / "mail").glob("*.py"))
    assert modules == ["__init__.py", "sender.py"]
    import server.domain.messages as messages
    import server.domain.outbox as outbox

    assert callable(outbox.queue_email) and callable(messages.receipt_message)
