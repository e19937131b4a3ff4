"""Branding previews of an unsaved branding, its emails as sent, test emails, the favicon."""

from __future__ import annotations

import io
import re

import httpx
from PIL import Image
from sqlalchemy import select

from server.db.models import AuditEvent, OutboxEmail
from tests.server.conftest import Server
from tests.support.workspaces import TestWorkspace

CSRF = re.compile(r'name="csrf_token" value="[^"]*"')


def _branding(c: httpx.Client, **changes: object) -> dict[str, object]:
    return {**c.get("/api/v1/branding").json()["published"], **changes}


def _png(size: tuple[int, int] = (300, 100)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (11, 110, 79)).save(out, "PNG")
    return out.getvalue()


def test_page_preview_is_the_page_customers_get_after_publishing(
    server: Server, ws: TestWorkspace
) -> None:
    c = ws.client("owner")
    body = _branding(
        c, brand_name="Evergreen & Sons", primary_color="#0B6E4F", phone="503 555 0100"
    )
    preview = c.post("/api/v1/branding/preview", json={"branding": body, "page": "sign_in"})
    assert preview.status_code == 200 and preview.headers["content-type"].startswith("text/html")
    assert "Sign in to Evergreen &amp; Sons" in preview.text
    assert "/theme/0b6e4f-" in preview.text
    # Nothing was saved by previewing.
    assert c.get("/api/v1/branding").json()["draft"] is None
    tag = c.get("/api/v1/branding").headers["etag"]
    saved = c.put("/api/v1/branding/draft", json=body, headers={"If-Match": tag})
    c.post("/api/v1/branding/publish", headers={"If-Match": saved.headers["etag"]})
    live = httpx.get(f"{server.url}/p/{ws.slug}/sign-in")
    assert CSRF.sub("", live.text) == CSRF.sub("", preview.text)
    contact = c.post("/api/v1/branding/preview", json={"branding": body, "page": "coming_soon"})
    assert "503 555 0100" in contact.text


def test_previews_refuse_bad_input(ws: TestWorkspace) -> None:
    c = ws.client("owner")
    body = _branding(c)
    for bad, field in (
        ({**body, "primary_color": "blue"}, "branding.primary_color"),
        ({**body, "email": "not-an-email"}, "branding.email"),
        ({**body, "invite_subject": "Hi {first_name}"}, "branding.invite_subject"),
        ({**body, "receipt_message": "Paid {amount"}, "branding.receipt_message"),
        ({**body, "logo_file_id": 99999}, "logo_file_id"),
    ):
        r = c.post("/api/v1/branding/preview", json={"branding": bad})
        assert r.status_code == 422, (field, r.text)
        assert field in r.json()["errors"], (field, r.json())
    assert (
        c.post(
            "/api/v1/branding/emails/preview", json={"kind": "welcome", "branding": body}
        ).status_code
        == 422
    )
    anonymous = httpx.post(f"{ws.base_url}/api/v1/branding/preview", json={"branding": body})
    assert anonymous.status_code == 401


def test_email_previews_are_rendered_as_sent(ws: TestWorkspace) -> None:
    c = ws.client("owner")
    body = _branding(
        c,
        brand_name="Evergreen",
        reset_subject="Password help from {brand_name}",
        reset_message="Hi {contact_name},\n\nUse the button below.",
        receipt_subject="Thanks for paying {amount}",
        receipt_message="Hi {contact_name}, we got {amount} for {invoice_number}.",
    )
    reset = c.post(
        "/api/v1/branding/emails/preview", json={"kind": "reset", "branding": body}
    ).json()
    assert reset["subject"] == "Password help from Evergreen"
    assert "Hi Jordan Lee," in reset["text"] and "Use the button below." in reset["html"]
    assert "one hour" in reset["text"] and "Choose a new password" in reset["html"]
    receipt = c.post(
        "/api/v1/branding/emails/preview", json={"kind": "receipt", "branding": body}
    ).json()
    assert receipt["subject"] == "Thanks for paying $245.00"
    assert "we got $245.00 for INV-1042." in receipt["text"]
    invite = c.post(
        "/api/v1/branding/emails/preview", json={"kind": "invite", "branding": body}
    ).json()
    assert invite["subject"] == "Your Evergreen customer portal is ready"
    bad = c.post(
        "/api/v1/branding/emails/preview",
        json={"kind": "reset", "branding": {**body, "reset_message": "Hi {customer_name}"}},
    )
    assert bad.status_code == 422
    assert "Unknown placeholder {customer_name}" in bad.json()["errors"]["branding.reset_message"]


def test_test_email_goes_to_the_signed_in_staff_member(server: Server, ws: TestWorkspace) -> None:
    c = ws.client("manager")
    body = _branding(c, invite_subject="Welcome to {brand_name}")
    r = c.post("/api/v1/branding/emails/test", json={"kind": "invite", "branding": body})
    assert r.status_code == 202, r.text
    assert r.json()["to"] == ws.emails["manager"]
    with server.sessionmaker() as db:
        row = db.scalar(select(OutboxEmail).where(OutboxEmail.workspace_id == ws.id))
        assert row is not None and row.kind == "test_invite"
        assert row.to_address == ws.emails["manager"] and row.subject.startswith("Welcome to")
        assert db.scalar(
            select(AuditEvent).where(
                AuditEvent.workspace_id == ws.id, AuditEvent.action == "branding.test_email"
            )
        )
    assert (
        ws.client("dispatcher")
        .post("/api/v1/branding/emails/test", json={"kind": "invite", "branding": body})
        .status_code
        == 403
    )


def test_favicon_comes_from_the_logo_and_the_draft_logo_stays_private(
    server: Server, ws: TestWorkspace
) -> None:
    c = ws.client("owner")
    up = c.post(
        "/api/v1/branding/logo",
        files={"file": ("logo.png", _png(), "image/png")},
        headers={"If-Match": c.get("/api/v1/branding").headers["etag"]},
    )
    logo_id = up.json()["draft"]["logo_file_id"]
    anon = httpx.Client(base_url=server.url)
    assert anon.get(f"/p/{ws.slug}/logo/{logo_id}").status_code == 404
    assert anon.get(f"/p/{ws.slug}/favicon/{logo_id}.png").status_code == 404
    staff = {"Authorization": f"Bearer {ws.tokens['owner']}"}
    assert anon.get(f"/p/{ws.slug}/logo/{logo_id}", headers=staff).status_code == 200
    wrong = {"Authorization": "Bearer not-a-token"}
    assert anon.get(f"/p/{ws.slug}/logo/{logo_id}", headers=wrong).status_code == 404
    c.post("/api/v1/branding/publish", headers={"If-Match": up.headers["etag"]})
    icon = anon.get(f"/p/{ws.slug}/favicon/{logo_id}.png")
    assert icon.status_code == 200 and icon.headers["content-type"] == "image/png"
    with Image.open(io.BytesIO(icon.content)) as img:
        assert img.size == (64, 64)
    page = anon.get(f"/p/{ws.slug}/sign-in").text
    assert f'rel="icon" type="image/png" href="/p/{ws.slug}/favicon/{logo_id}.png"' in page
    anon.close()
