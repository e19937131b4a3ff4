"""Per-test workspaces: every test gets its own, so tests never see each other's rows."""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field

import httpx
from sqlalchemy.orm import Session, sessionmaker

from server.domain import staff as staff_service
from server.domain.workspaces import ensure_workspace

PASSWORD = "correct horse battery staple"


@dataclass
class TestWorkspace:
    """A workspace with one staff member per role and an API client for each."""

    __test__ = False

    id: int
    slug: str
    base_url: str
    emails: dict[str, str]
    tokens: dict[str, str]
    clients: dict[str, httpx.Client] = field(default_factory=dict)

    def client(self, role: str = "owner") -> httpx.Client:
        """An httpx client signed in as the staff member with this role."""
        if role not in self.clients:
            self.clients[role] = httpx.Client(
                base_url=self.base_url,
                headers={"Authorization": f"Bearer {self.tokens[role]}"},
                timeout=30,
            )
        return self.clients[role]

    def close(self) -> None:
        """Close every client."""
        for c in self.clients.values():
            c.close()


def make_workspace(
    factory: sessionmaker[Session], base_url: str, *, portal_status: str = "active"
) -> TestWorkspace:
    """Create a workspace with an owner, a manager and a dispatcher, each signed in."""
    slug = f"ws-{secrets.token_hex(5)}"
    emails: dict[str, str] = {}
    tokens: dict[str, str] = {}
    with factory() as session:
        ws = ensure_workspace(session, slug, f"Workspace {slug}")
        ws.portal_status = portal_status
        for role in ("owner", "manager", "dispatcher"):
            email = f"{role}@{slug}.example.com"
            user = staff_service.create_staff(session, ws, email, role.title(), role, PASSWORD)
            emails[role] = email
            session.commit()
            tokens[role] = staff_service.issue_token_for(session, user, 12).token
        ws_id = ws.id
    return TestWorkspace(ws_id, slug, base_url, emails, tokens)
