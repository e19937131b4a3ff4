"""``/api/v1/branding``: draft, publish, discard, and logo uploads by content."""

from __future__ import annotations

import io
import struct
import zlib

import httpx
from PIL import Image
from sqlalchemy import func, select

from server.db.models import AuditEvent, StoredFile, Workspace
from tests.server.conftest import Server
from tests.support.workspaces import TestWorkspace, make_workspace

DRAFT = {
    "brand_name": "Smith & Sons Plumbing",
    "primary_color": "#1F5F8B",
    "accent_color": "#E8A33D",
    "phone": "+1 (555) 010-2030",
    "email": "office@smithplumbing.example",
    "invite_subject": "Your {brand_name} portal",
    "invite_message": "Hello {contact_name}, welcome.",
}


def _etag(c: httpx.Client) -> str:
    r = c.get("/api/v1/branding")
    assert r.status_code == 200, r.text
    return r.headers["etag"]


def _image(fmt: str, size: tuple[int, int] = (40, 20)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(out, fmt)
    return out.getvalue()


def _png_declaring(width: int, height: int) -> bytes:
    """A tiny PNG whose header claims a huge canvas (a pixel flood)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    idat = zlib.compress(b"\x00" * 64)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")


def _stored_files(server: Server, ws_id: int) -> int:
    with server.sessionmaker() as s:
        return (
            s.scalar(
                select(func.count()).select_from(StoredFile).where(StoredFile.workspace_id == ws_id)
            )
            or 0
        )


def test_defaults_follow_workspace_name(ws: TestWorkspace) -> None:
    r = ws.client("dispatcher").get("/api/v1/branding")
    assert r.status_code == 200
    body = r.json()
    assert body["published"]["brand_name"] == f"Workspace {ws.slug}"
    assert body["draft"] is None
    assert r.headers["etag"] == f'"{body["version"]}"'


def test_default_brand_name_follows_a_rename(ws: TestWorkspace) -> None:
    c = ws.client("owner")
    tag = _etag(c)
    wtag = c.get("/api/v1/workspace").headers["etag"]
    r = c.patch("/api/v1/workspace", json={"name": "Renamed Heating"}, headers={"If-Match": wtag})
    assert r.status_code == 200
    r = c.get("/api/v1/branding")
    assert r.json()["published"]["brand_name"] == "Renamed Heating"
    assert r.headers["etag"] != tag  # what customers see changed, so the branding did too


def test_draft_then_publish(server: Server, ws: TestWorkspace) -> None:
    c = ws.client("manager")
    r = c.put("/api/v1/branding/draft", json=DRAFT, headers={"If-Match": _etag(c)})
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["draft"]["brand_name"] == DRAFT["brand_name"]
    assert body["draft"]["primary_color"] == "#1f5f8b"
    assert body["published"]["brand_name"] != DRAFT["brand_name"]
    r = c.post("/api/v1/branding/publish", headers={"If-Match": r.headers["etag"]})
    assert r.status_code == 200, r.text
    assert r.json()["published"]["brand_name"] == DRAFT["brand_name"]
    assert r.json()["draft"] is None
    with server.sessionmaker() as s:
        assert s.get_one(Workspace, ws.id).branding["phone"] == DRAFT["phone"]
        actions = set(s.scalars(select(AuditEvent.action).where(AuditEvent.workspace_id == ws.id)))
    assert {"branding.draft_saved", "branding.published"} <= actions


def test_discard_and_publish_without_draft(ws: TestWorkspace) -> None:
    c = ws.client("owner")
    r = c.put("/api/v1/branding/draft", json=DRAFT, headers={"If-Match": _etag(c)})
    r = c.delete("/api/v1/branding/draft", headers={"If-Match": r.headers["etag"]})
    assert r.status_code == 200 and r.json()["draft"] is None
    r = c.post("/api/v1/branding/publish", headers={"If-Match": r.headers["etag"]})
    assert r.status_code == 409
    assert "no branding draft" in r.json()["detail"]


def test_concurrency_rules(ws: TestWorkspace) -> None:
    c = ws.client("owner")
    tag = _etag(c)
    for method, path, kwargs in [
        ("PUT", "/api/v1/branding/draft", {"json": DRAFT}),
        ("POST", "/api/v1/branding/publish", {}),
        ("DELETE", "/api/v1/branding/draft", {}),
        ("POST", "/api/v1/branding/logo", {"files": {"file": ("l.png", _image("PNG"))}}),
    ]:
        r = c.request(method, path, **kwargs)  # type: ignore[arg-type]
        assert r.status_code == 428, (path, r.text)
    assert _etag(c) == tag
    assert c.put("/api/v1/branding/draft", json=DRAFT, headers={"If-Match": tag}).is_success
    r = c.post("/api/v1/branding/publish", headers={"If-Match": tag})
    assert r.status_code == 412
    r = c.post(
        "/api/v1/branding/logo",
        files={"file": ("l.png", _image("PNG"))},
        headers={"If-Match": tag},
    )
    assert r.status_code == 412
    assert c.get("/api/v1/branding").json()["published"]["brand_name"] != DRAFT["brand_name"]


def test_bad_fields_name_the_field(ws: TestWorkspace) -> None:
    c = ws.client("owner")
    tag = _etag(c)
    cases = [
        ({"primary_color": "red"}, "primary_color", "colour"),
        ({"accent_color": "#12345"}, "accent_color", "colour"),
        ({"email": "not-an-email"}, "email", "email"),
        ({"website": "javascript:alert(1)"}, "website", "https://"),
        ({"phone": "call me"}, "phone", "digits"),
        ({"invite_message": "Hi {first_name}"}, "invite_message", "{first_name}"),
        ({"invite_subject": "{brand}"}, "invite_subject", "Unknown placeholder"),
        ({"brand_name": ""}, "brand_name", "character"),
        ({"theme": "dark"}, "theme", "not accepted"),
    ]
    for change, field, words in cases:
        r = c.put("/api/v1/branding/draft", json={**DRAFT, **change}, headers={"If-Match": tag})
        assert r.status_code == 422, (change, r.text)
        assert words in r.json()["errors"][field], (change, r.json())
    assert _etag(c) == tag
    assert c.get("/api/v1/branding").json()["draft"] is None


def test_logo_file_id_cannot_be_typed_in(server: Server, ws: TestWorkspace) -> None:
    other = make_workspace(server.sessionmaker, server.url)
    oc = other.client("owner")
    r = oc.post(
        "/api/v1/branding/logo",
        files={"file": ("logo.png", _image("PNG"))},
        headers={"If-Match": _etag(oc)},
    )
    foreign = r.json()["draft"]["logo_file_id"]
    c = ws.client("owner")
    r = c.put(
        "/api/v1/branding/draft",
        json={**DRAFT, "logo_file_id": foreign},
        headers={"If-Match": _etag(c)},
    )
    assert r.status_code == 422
    assert "Upload a logo" in r.json()["errors"]["logo_file_id"]
    r = c.get(f"/api/v1/branding/logo/{foreign}")
    missing = c.get("/api/v1/branding/logo/987654321")
    assert r.status_code == missing.status_code == 404
    assert r.json()["detail"] == missing.json()["detail"]
    other.close()


def test_logo_upload_reencodes_and_serves(server: Server, ws: TestWorkspace) -> None:
    c = ws.client("manager")
    c.put("/api/v1/branding/draft", json=DRAFT, headers={"If-Match": _etag(c)})
    for fmt, ctype in [("PNG", "image/png"), ("JPEG", "image/jpeg"), ("WEBP", "image/webp")]:
        original = _image(fmt)
        r = c.post(
            "/api/v1/branding/logo",
            # The declared type and name are ignored: content decides.
            files={"file": ("logo.bin", original, "application/octet-stream")},
            headers={"If-Match": _etag(c)},
        )
        assert r.status_code == 200, (fmt, r.text)
        draft = r.json()["draft"]
        assert draft["brand_name"] == DRAFT["brand_name"]  # the rest of the draft is kept
        fid = draft["logo_file_id"]
        got = c.get(f"/api/v1/branding/logo/{fid}")
        assert got.status_code == 200
        assert got.headers["content-type"] == ctype
        assert got.headers["x-content-type-options"] == "nosniff"
        assert Image.open(io.BytesIO(got.content)).size == (40, 20)
    # The draft keeps its logo when saved again with the same id.
    r = c.put(
        "/api/v1/branding/draft",
        json={**DRAFT, "logo_file_id": fid},
        headers={"If-Match": _etag(c)},
    )
    assert r.status_code == 200 and r.json()["draft"]["logo_file_id"] == fid


def test_logo_without_draft_starts_one_from_published(ws: TestWorkspace) -> None:
    c = ws.client("owner")
    r = c.post(
        "/api/v1/branding/logo",
        files={"file": ("logo.png", _image("PNG"))},
        headers={"If-Match": _etag(c)},
    )
    assert r.status_code == 200
    body = r.json()
    assert body["draft"]["brand_name"] == body["published"]["brand_name"]
    assert body["published"]["logo_file_id"] is None and body["draft"]["logo_file_id"]


def test_bad_logos_are_refused_and_nothing_is_stored(server: Server, ws: TestWorkspace) -> None:
    c = ws.client("owner")
    tag = _etag(c)
    svg = b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"></svg>'
    gif = _image("GIF")
    cases = [
        ("fake.png", b"just some text, honestly not a picture", 415, "not a PNG"),
        ("logo.svg", svg, 415, "SVG"),
        ("logo.gif", gif, 415, "not a PNG"),
        ("flood.png", _png_declaring(20000, 20000), 413, "pixels"),
        ("wide.png", _png_declaring(8000, 6000), 413, "8000x6000 pixels"),
        ("huge.png", b"\x89PNG\r\n\x1a\n" + b"\0" * (10 * 1024 * 1024 + 10), 413, "larger than"),
    ]
    for name, data, status, words in cases:
        r = c.post("/api/v1/branding/logo", files={"file": (name, data)}, headers={"If-Match": tag})
        assert r.status_code == status, (name, r.text)
        assert words in r.json()["detail"], (name, r.json())
    assert _stored_files(server, ws.id) == 0
    assert _etag(c) == tag
    r = c.post("/api/v1/branding/logo", headers={"If-Match": tag})
    assert r.status_code == 422 and r.json()["errors"]["file"] == "This field is required."


def test_dispatcher_cannot_change_branding(ws: TestWorkspace) -> None:
    c = ws.client("dispatcher")
    tag = _etag(c)
    for method, path in [
        ("PUT", "/api/v1/branding/draft"),
        ("POST", "/api/v1/branding/publish"),
        ("DELETE", "/api/v1/branding/draft"),
        ("POST", "/api/v1/branding/logo"),
    ]:
        r = c.request(
            method, path, json=DRAFT if method == "PUT" else None, headers={"If-Match": tag}
        )
        assert r.status_code == 403, path
        assert "edit branding" in r.json()["detail"]
    assert _etag(c) == tag
