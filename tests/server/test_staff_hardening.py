"""Security rules of the staff side: sign-in throttling, idempotent replays, If-Match, headers,
/docs, sign-in emails that only the right role may move, and links that leave the outbox."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from datetime import timedelta

import httpx
import pytest
from sqlalchemy import delete, select
from swagger_ui_bundle import swagger_ui_path

from server.app import create_app
from server.db.base import utcnow
from server.db.models import AuditEvent, Invite, OutboxEmail, RateLimitHit, Workspace
from server.domain.portal_auth import new_password_problem
from server.housekeeping import OUTBOX_KEEP, sweep
from server.mail.sender import LINK_REMOVED, OutboxSender, RetryPolicy, SmtpConfig
from server.settings import Settings
from tests.server.conftest import Server
from tests.server.records_support import customer_body
from tests.support.customers import add_customer
from tests.support.live_server import free_port, serve_in_thread
from tests.support.smtp import smtp_server, wait_for
from tests.support.workspaces import PASSWORD, TestWorkspace

TOKEN = "/api/v1/auth/token"


@pytest.fixture
def fresh_address_counts(server: Server) -> Iterator[None]:
    """Every staff sign-in comes from 127.0.0.1: forget its failures before and after."""

    def clear() -> None:
        with server.sessionmaker() as s:
            s.execute(delete(RateLimitHit).where(RateLimitHit.key.like("staff-signin-%")))
            s.commit()

    clear()
    yield
    clear()


def test_staff_sign_in_is_throttled_per_email_known_or_not(
    anon: httpx.Client, ws: TestWorkspace, fresh_address_counts: None
) -> None:
    known, unknown = ws.emails["manager"], f"nobody@{ws.slug}.example.com"
    for email in (known, unknown):
        codes = [
            anon.post(TOKEN, json={"email": email, "password": "wrong guess"}).status_code
            for _ in range(10)
        ]
        assert codes == [401] * 10
    right = anon.post(TOKEN, json={"email": known, "password": PASSWORD})
    other = anon.post(TOKEN, json={"email": unknown, "password": PASSWORD})
    assert right.status_code == other.status_code == 429
    assert right.json()["detail"] == other.json()["detail"]
    assert "Wait 15 minutes" in right.json()["detail"]
    # Another member of the team is not blocked by someone guessing at the manager.
    owner = anon.post(TOKEN, json={"email": ws.emails["owner"], "password": PASSWORD})
    assert owner.status_code == 200


def test_staff_sign_in_is_throttled_per_address(
    anon: httpx.Client, ws: TestWorkspace, fresh_address_counts: None
) -> None:
    for i in range(30):
        email = f"guess{i}@{ws.slug}.example.com"
        r = anon.post(TOKEN, json={"email": email, "password": "wrong guess"})
        assert r.status_code == 401
    right = anon.post(TOKEN, json={"email": ws.emails["owner"], "password": PASSWORD})
    assert right.status_code == 429
    assert "from your network" in right.json()["detail"]


BATCH = "/api/v1/records/batch"


def _batch() -> dict[str, object]:
    return {"customers": [{"external_id": "C-idem", **customer_body("Ines Marlow")}]}


def test_a_replay_goes_only_to_its_owner_and_only_while_permitted(
    server: Server, ws: TestWorkspace
) -> None:
    first = ws.client("owner").post(BATCH, json=_batch(), headers={"Idempotency-Key": "shared"})
    assert first.status_code == 200
    # The dispatcher may not push records: the owner's stored answer must not reach them.
    stolen = ws.client("dispatcher").post(
        BATCH, json=_batch(), headers={"Idempotency-Key": "shared"}
    )
    assert stolen.status_code == 403
    assert "idempotent-replayed" not in stolen.headers
    # A manager sending the same key makes a request of their own.
    own = ws.client("manager").post(BATCH, json=_batch(), headers={"Idempotency-Key": "shared"})
    assert own.status_code == 200 and "idempotent-replayed" not in own.headers
    assert own.json()["data"][0]["created"] is False
    # The owner's own replay stops once their role loses the permission.
    with server.sessionmaker() as s:
        row = s.get(Workspace, ws.id)
        assert row is not None
        row.permissions = {"manager": ["view_customers"]}
        s.commit()
    again = ws.client("manager").post(BATCH, json=_batch(), headers={"Idempotency-Key": "shared"})
    assert again.status_code == 403 and "idempotent-replayed" not in again.headers


def test_if_match_star_is_refused_on_shared_settings(ws: TestWorkspace) -> None:
    c = ws.client("owner")
    r = c.patch("/api/v1/workspace", json={"name": "Renamed"}, headers={"If-Match": "*"})
    assert r.status_code == 428
    assert "If-Match: *" in r.json()["detail"]
    r = c.put("/api/v1/visibility-policy/draft", json={}, headers={"If-Match": "*"})
    assert r.status_code == 428
    assert c.get("/api/v1/workspace").json()["name"] != "Renamed"


def test_hsts_only_when_the_public_address_is_https(server: Server, anon: httpx.Client) -> None:
    assert "strict-transport-security" not in anon.get("/healthz").headers
    port = free_port()
    app = create_app(
        Settings(database_url=server.database_url, public_base_url="https://portal.example.com")
    )
    try:
        with serve_in_thread(app, port) as base, httpx.Client(base_url=base) as c:
            hsts = c.get("/healthz").headers["strict-transport-security"]
            assert hsts.startswith("max-age=31536000")
            assert c.get("/p/nowhere/sign-in").headers["strict-transport-security"] == hsts
    finally:
        app.state.engine.dispose()


def test_docs_are_served_without_a_cdn(anon: httpx.Client) -> None:
    page = anon.get("/docs")
    assert page.status_code == 200
    assert "cdn." not in page.text and "https://" not in page.text
    assert anon.get("/docs/assets/swagger-ui-bundle.js").status_code == 200
    assert anon.get("/docs/assets/swagger-ui.css").status_code == 200
    assert anon.get("/redoc").status_code == 404
    # Swagger UI 4 shows "Unable to render this definition" for OpenAPI 3.1; 5 reads it.
    assert anon.get("/openapi.json").json()["openapi"].startswith("3.1")
    assert swagger_ui_path.name.startswith("swagger-ui-5.")


@pytest.mark.parametrize(
    "password", ["sunshine1", "iloveyou2", "starwars1", "blink182", "liverpool1", "charlie123"]
)
def test_common_passwords_come_from_a_real_list(password: str) -> None:
    problem = new_password_problem(password, password)
    assert problem is not None and "too common" in problem


def test_an_ordinary_passphrase_is_accepted() -> None:
    assert new_password_problem("plum orchard ladder", "plum orchard ladder") is None


def _contact_with_account(server: Server, ws: TestWorkspace, email: str) -> tuple[int, str]:
    made = add_customer(server.sessionmaker, ws.id, "Ruth Alder", [("Ruth Alder", email, None)])
    contact_id = made.contact_ids[0]
    r = ws.client("dispatcher").post(f"/api/v1/contacts/{contact_id}/portal-invite")
    assert r.status_code == 201, r.text
    etag = ws.client("dispatcher").get(f"/api/v1/contacts/{contact_id}").headers["etag"]
    return contact_id, etag


def test_a_dispatcher_cannot_move_a_sign_in_to_another_address(
    server: Server, ws: TestWorkspace
) -> None:
    contact_id, etag = _contact_with_account(server, ws, "ruth@example.com")
    takeover = ws.client("dispatcher").patch(
        f"/api/v1/contacts/{contact_id}",
        json={"email": ws.emails["dispatcher"]},
        headers={"If-Match": etag},
    )
    assert takeover.status_code == 403
    assert "edit contact email" in takeover.json()["detail"]
    after = ws.client("dispatcher").get(f"/api/v1/contacts/{contact_id}").json()
    assert after["email"] == "ruth@example.com"
    with server.sessionmaker() as s:
        invite = s.scalars(select(Invite).where(Invite.workspace_id == ws.id)).one()
        assert invite.revoked_at is None  # nothing changed
    # A contact without a portal account is office data: the email clean-up may fix it.
    plain = add_customer(
        server.sessionmaker, ws.id, "Sam Ode", [("Sam Ode", "sam@exmaple.com", None)]
    )
    tag = ws.client("dispatcher").get(f"/api/v1/contacts/{plain.contact_ids[0]}").headers["etag"]
    fixed = ws.client("dispatcher").patch(
        f"/api/v1/contacts/{plain.contact_ids[0]}",
        json={"email": "sam@example.com"},
        headers={"If-Match": tag},
    )
    assert fixed.status_code == 200


def test_a_manager_moves_a_sign_in_with_links_revoked_old_address_told_and_audit(
    server: Server, ws: TestWorkspace
) -> None:
    contact_id, etag = _contact_with_account(server, ws, "ruth@example.com")
    moved = ws.client("manager").patch(
        f"/api/v1/contacts/{contact_id}",
        json={"email": "ruth.alder@example.org"},
        headers={"If-Match": etag},
    )
    assert moved.status_code == 200, moved.text
    assert moved.json()["portal_account"]["email"] == "ruth.alder@example.org"
    with server.sessionmaker() as s:
        invite = s.scalars(select(Invite).where(Invite.workspace_id == ws.id)).one()
        assert invite.revoked_at is not None
        told = s.scalars(
            select(OutboxEmail).where(
                OutboxEmail.workspace_id == ws.id, OutboxEmail.kind == "email_changed"
            )
        ).one()
        event = s.scalars(
            select(AuditEvent).where(
                AuditEvent.workspace_id == ws.id,
                AuditEvent.action == "portal.sign_in_email_changed",
            )
        ).one()
    assert told.to_address == "ruth@example.com" and told.link is None
    assert "r***@example.org" in told.body_text and "ruth.alder@" not in told.body_text
    assert event.detail["before"] == "ruth@example.com"
    assert event.detail["after"] == "ruth.alder@example.org"


def test_the_crm_needs_the_permission_too(server: Server, ws: TestWorkspace) -> None:
    contact = {"customer_external_id": "C-9", "name": "Ada Lane", "email": "ada@example.com"}
    c = ws.client("manager")
    assert c.put("/api/v1/records/customers/C-9", json=customer_body("Lane")).status_code in (
        200,
        201,
    )
    assert c.put("/api/v1/records/contacts/K-9", json=contact).status_code in (200, 201)
    with server.sessionmaker() as s:
        row = s.get(Workspace, ws.id)
        assert row is not None
        # A workspace whose managers push records but may not move sign-ins.
        row.permissions = {"manager": ["view_customers", "records", "invite"]}
        s.commit()
    found = c.get("/api/v1/customers", params={"q": "Lane"}).json()
    detail = c.get(f"/api/v1/customers/{found['data'][0]['id']}").json()
    cid = detail["contacts"][0]["id"]
    assert c.post(f"/api/v1/contacts/{cid}/portal-invite").status_code == 201
    moved = c.put("/api/v1/records/contacts/K-9", json={**contact, "email": "x@example.org"})
    assert moved.status_code == 403


def test_a_sent_email_keeps_no_working_link(server: Server, ws: TestWorkspace) -> None:
    made = add_customer(
        server.sessionmaker, ws.id, "Pat Doe", [("Pat Doe", "pat.link@example.com", None)]
    )
    r = ws.client("dispatcher").post(f"/api/v1/contacts/{made.contact_ids[0]}/portal-invite")
    assert r.status_code == 201
    link = r.json()["invite_url"]
    port = free_port()
    sender = OutboxSender(
        server.sessionmaker,
        SmtpConfig("127.0.0.1", port, None, None, False, "portal@toolbag.example"),
        RetryPolicy(),
        skip_locked=server.backend == "postgresql",
        batch=500,
    )
    with smtp_server(port) as inbox:
        asyncio.run(sender.run_once())
        [message] = wait_for(lambda: inbox.to("pat.link@example.com"), what="the invite")
    assert link in message.get_body(("plain",)).get_content()  # the customer got it
    with server.sessionmaker() as s:
        row = s.scalars(
            select(OutboxEmail).where(
                OutboxEmail.workspace_id == ws.id, OutboxEmail.to_address == "pat.link@example.com"
            )
        ).one()
    assert row.status == "sent" and row.link is None
    token = link.rsplit("/", 1)[1]
    assert token not in row.body_text and token not in row.body_html
    assert LINK_REMOVED in row.body_text and LINK_REMOVED in row.body_html


def test_housekeeping_prunes_old_outbox_rows(server: Server, ws: TestWorkspace) -> None:
    old = utcnow() - OUTBOX_KEEP - timedelta(days=1)
    with server.sessionmaker() as s:
        rows = [
            OutboxEmail(
                workspace_id=ws.id,
                kind="test",
                to_address=f"{status}{i}@example.com",
                subject="s",
                body_text="t",
                body_html="h",
                status=status,
                created_at=old if i else utcnow(),
                sent_at=(old if i else utcnow()) if status == "sent" else None,
            )
            for status in ("sent", "failed", "pending")
            for i in (0, 1)
        ]
        s.add_all(rows)
        s.commit()
    counts = sweep(server.sessionmaker, server.app.state.settings)
    assert counts["outbox_emails"] >= 2
    with server.sessionmaker() as s:
        left = sorted(
            s.scalars(
                select(OutboxEmail.to_address).where(
                    OutboxEmail.workspace_id == ws.id, OutboxEmail.kind == "test"
                )
            )
        )
    # Recent rows stay; an old pending email is still to be sent, so it stays too.
    assert left == [
        "failed0@example.com",
        "pending0@example.com",
        "pending1@example.com",
        "sent0@example.com",
    ]
