"""Records API: documents and photos (multipart), validated by content, pending review."""

from __future__ import annotations

import httpx
from sqlalchemy import func, select

from server.db.models import Document, Photo, StoredFile
from tests.server.conftest import Server
from tests.server.records_support import PDF, changes, customer_body, png_bytes, put
from tests.support.workspaces import TestWorkspace

DOCS = "/api/v1/records/documents"
PHOTOS = "/api/v1/records/photos"


def _files(server: Server, ws: TestWorkspace) -> int:
    with server.sessionmaker() as s:
        q = select(func.count()).select_from(StoredFile).where(StoredFile.workspace_id == ws.id)
        return int(s.scalar(q) or 0)


def _doc(c: httpx.Client, data: bytes, name: str = "quote.pdf", **fields: str) -> httpx.Response:
    form = {"customer_external_id": "C-1", "title": "Signed quote", **fields}
    return c.put(f"{DOCS}/D-1", data=form, files={"file": (name, data, "application/pdf")})


def test_document_upload_pending_review_and_idempotent(server: Server, ws: TestWorkspace) -> None:
    c = ws.client()
    put(c, "customers", "C-1", customer_body())
    r = _doc(c, PDF, name="../../etc/Quo\u202ete.pdf")
    assert r.status_code == 201, r.text
    with server.sessionmaker() as s:
        doc = s.get(Document, r.json()["id"])
        assert doc is not None and doc.review_status == "pending"
        assert doc.filename == "Quote.pdf"
        doc.review_status = "shared"
        s.commit()
    cursor = changes(c)["next_cursor"]
    again = _doc(c, PDF, name="Quote.pdf")
    assert again.status_code == 200 and again.json()["changed"] is False
    assert changes(c, cursor)["data"] == []
    # New bytes: the file is replaced and needs review again; the old bytes are gone.
    r = _doc(c, PDF + b"% v2\n", name="Quote.pdf")
    assert r.json()["changed"] is True
    with server.sessionmaker() as s:
        doc = s.get(Document, r.json()["id"])
        assert doc is not None and doc.review_status == "pending"
    assert _files(server, ws) == 1
    assert c.delete(f"{DOCS}/D-1").status_code == 204
    assert _files(server, ws) == 0
    assert changes(c, cursor)["data"][-1]["op"] == "delete"


def test_photo_is_reencoded(server: Server, ws: TestWorkspace) -> None:
    c = ws.client()
    put(c, "customers", "C-1", customer_body())
    form = {"customer_external_id": "C-1", "caption": "Before", "taken_at": "2025-03-04T09:30:00Z"}
    r = c.put(f"{PHOTOS}/PH-1", data=form, files={"file": ("a.png", png_bytes(), "image/png")})
    assert r.status_code == 201, r.text
    with server.sessionmaker() as s:
        photo = s.get(Photo, r.json()["id"])
        assert photo is not None and photo.review_status == "pending"
        stored = s.get(StoredFile, photo.file_id)
        assert stored is not None and (stored.content_type, stored.width) == ("image/png", 8)


def test_bad_uploads(server: Server, ws: TestWorkspace) -> None:
    c = ws.client()
    put(c, "customers", "C-1", customer_body())
    cases = [
        (b"MZ\x90\x00 not a pdf", 415, "Only PDF"),
        (b'<svg xmlns="http://www.w3.org/2000/svg"></svg>', 415, "Only PDF"),
        (b"\x89PNG\r\n\x1a\n garbage", 415, "not a PNG"),
        (b"%PDF-" + b"0" * (10 * 1024 * 1024), 413, "larger than 10 MB"),
    ]
    for data, status, words in cases:
        r = _doc(c, data)
        assert r.status_code == status, (data[:10], r.text)
        assert words in r.json()["detail"]
    svg = b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"/>'
    r = c.put(
        f"{PHOTOS}/PH-1",
        data={"customer_external_id": "C-1"},
        files={"file": ("x.png", svg, "image/png")},
    )
    assert r.status_code == 415 and "SVG" in r.json()["detail"]
    assert _files(server, ws) == 0


def test_bad_forms(server: Server, ws: TestWorkspace) -> None:
    c = ws.client()
    put(c, "customers", "C-1", customer_body())
    r = c.put(f"{DOCS}/D-1", json={"customer_external_id": "C-1", "title": "x"})
    assert r.status_code == 415 and "multipart/form-data" in r.json()["detail"]
    r = _doc(c, PDF, review_status="shared")
    assert r.status_code == 422
    assert r.json()["errors"]["review_status"] == "This field is not accepted here."
    r = c.put(
        f"{DOCS}/D-1",
        data={"customer_external_id": "C-1", "title": "x"},
        files={"other": ("a", b"x")},
    )
    assert r.status_code == 422
    r = c.put(f"{DOCS}/D-1", files={"file": ("a.pdf", PDF)}, data={"title": "No customer"})
    assert r.status_code == 422 and "customer_external_id" in r.json()["errors"]
    r = _doc(c, PDF, customer_external_id="C-404")
    assert r.status_code == 422 and "C-404" in r.json()["errors"]["customer_external_id"]
    assert _files(server, ws) == 0
