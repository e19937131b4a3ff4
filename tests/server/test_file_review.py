"""``/api/v1/files``: the review queue, safe downloads, and share/reject decisions."""

from __future__ import annotations

import hashlib
import io
from datetime import timedelta
from itertools import zip_longest
from urllib.parse import unquote

import httpx
import pytest
from PIL import Image
from sqlalchemy import select

from server.db.base import utcnow
from server.db.models import AuditEvent, Change, Customer, Document, Photo, StoredFile
from tests.server.conftest import Server
from tests.support.workspaces import TestWorkspace, make_workspace

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


def _png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (8, 6), (10, 120, 200)).save(out, "PNG")
    return out.getvalue()


def _arrange(
    server: Server, ws_id: int, docs: int = 2, photos: int = 2, *, same_time: bool = False
) -> dict[str, list[int]]:
    """A customer with documents and photos, all pending review, created a second apart
    (or all at once, to exercise the list's tie-break)."""
    kinds = [k for pair in zip_longest(["document"] * docs, ["photo"] * photos) for k in pair if k]
    made: dict[str, list[int]] = {"document": [], "photo": []}
    start = utcnow() - timedelta(hours=1)
    with server.sessionmaker() as s:
        cust = Customer(workspace_id=ws_id, name="Ada Lovelace", sort_name="lovelace ada")
        s.add(cust)
        s.flush()
        for i, kind in enumerate(kinds):
            is_doc = kind == "document"
            data = PDF if is_doc else _png()
            f = StoredFile(
                workspace_id=ws_id,
                content_type="application/pdf" if is_doc else "image/png",
                size=len(data),
                sha256=hashlib.sha256(data).hexdigest(),
                data=data,
            )
            s.add(f)
            s.flush()
            when = start if same_time else start + timedelta(seconds=i)
            row: Document | Photo
            if is_doc:
                row = Document(
                    workspace_id=ws_id,
                    customer_id=cust.id,
                    title=f"Quote letter {i}",
                    filename=f'Angebot "Müller" {i}.pdf',
                    file_id=f.id,
                    created_at=when,
                )
            else:
                row = Photo(
                    workspace_id=ws_id,
                    customer_id=cust.id,
                    caption=f"Boiler {i}",
                    file_id=f.id,
                    created_at=when,
                )
            s.add(row)
            s.flush()
            made["document" if is_doc else "photo"].append(row.id)
        s.commit()
    return made


@pytest.mark.parametrize("same_time", [False, True])
def test_queue_lists_both_kinds_oldest_first_with_pages(
    server: Server, ws: TestWorkspace, same_time: bool
) -> None:
    made = _arrange(server, ws.id, docs=3, photos=2, same_time=same_time)
    c = ws.client("manager")
    r = c.get("/api/v1/files", params={"limit": 2})
    assert r.status_code == 200, r.text
    seen = r.json()["data"]
    assert r.json()["count"] == 5
    cursor = r.json()["next_cursor"]
    while cursor:
        page = c.get("/api/v1/files", params={"limit": 2, "cursor": cursor}).json()
        seen += page["data"]
        cursor = page["next_cursor"]
    assert len(seen) == 5
    assert [x["created_at"] for x in seen] == sorted(x["created_at"] for x in seen)
    assert {(x["kind"], x["id"]) for x in seen} == {(k, i) for k, ids in made.items() for i in ids}
    assert all(x["customer_name"] == "Ada Lovelace" for x in seen)
    photos = c.get("/api/v1/files", params={"kind": "photo"}).json()
    assert photos["count"] == 2 and all(x["filename"].endswith(".png") for x in photos["data"])
    assert c.get("/api/v1/files", params={"status": "shareable"}).json()["count"] == 0
    assert c.get("/api/v1/files", params={"status": "maybe"}).status_code == 422
    assert c.get("/api/v1/files", params={"cursor": "garbage"}).status_code == 422


def test_review_moves_file_audits_and_records_change(server: Server, ws: TestWorkspace) -> None:
    made = _arrange(server, ws.id)
    c = ws.client("manager")
    doc = made["document"][0]
    r = c.post(f"/api/v1/files/document/{doc}/review", json={"decision": "shareable"})
    assert r.status_code == 200, r.text
    assert r.json()["review_status"] == "shareable" and r.json()["reviewed_at"]
    photo = made["photo"][0]
    r = c.post(f"/api/v1/files/photo/{photo}/review", json={"decision": "rejected"})
    assert r.json()["review_status"] == "rejected"
    assert [
        x["id"] for x in c.get("/api/v1/files", params={"status": "shareable"}).json()["data"]
    ] == [doc]
    assert c.get("/api/v1/files").json()["count"] == 2
    with server.sessionmaker() as s:
        events = list(
            s.scalars(
                select(AuditEvent).where(
                    AuditEvent.workspace_id == ws.id, AuditEvent.action == "file.reviewed"
                )
            )
        )
        changes = {
            (ch.entity, ch.entity_id)
            for ch in s.scalars(select(Change).where(Change.workspace_id == ws.id))
        }
    assert {e.detail["decision"] for e in events} == {"shareable", "rejected"}
    assert all(e.customer_id is not None for e in events)
    assert {("document", doc), ("photo", photo)} <= changes


def test_bad_decisions(server: Server, ws: TestWorkspace) -> None:
    made = _arrange(server, ws.id)
    c = ws.client("manager")
    doc = made["document"][0]
    for body in (
        {"decision": "pending"},
        {"decision": "yes"},
        {},
        {"decision": "shareable", "x": 1},
    ):
        r = c.post(f"/api/v1/files/document/{doc}/review", json=body)
        assert r.status_code == 422, body
    assert (
        c.post(f"/api/v1/files/invoice/{doc}/review", json={"decision": "shareable"}).status_code
        == 422
    )
    assert c.get(f"/api/v1/files/document/{doc}").json()["review_status"] == "pending"


def test_download_headers_are_safe(server: Server, ws: TestWorkspace) -> None:
    made = _arrange(server, ws.id)
    c = ws.client("manager")
    r = c.get(f"/api/v1/files/document/{made['document'][0]}/content")
    assert r.status_code == 200
    assert r.content == PDF
    assert r.headers["content-type"] == "application/pdf"
    assert r.headers["x-content-type-options"] == "nosniff"
    cd = r.headers["content-disposition"]
    assert cd.startswith("attachment; ")
    fallback = cd.split('filename="')[1].split('"')[0]
    assert fallback.isascii() and '"' not in fallback and fallback.endswith(".pdf")
    encoded = cd.split("filename*=UTF-8''")[1]
    assert unquote(encoded) == 'Angebot "Müller" 0.pdf'
    p = c.get(f"/api/v1/files/photo/{made['photo'][0]}/content")
    assert p.headers["content-type"] == "image/png"
    assert Image.open(io.BytesIO(p.content)).size == (8, 6)
    assert p.headers["content-disposition"].startswith("attachment; ")


def test_other_workspace_files_are_not_found(server: Server, ws: TestWorkspace) -> None:
    other = make_workspace(server.sessionmaker, server.url)
    theirs = _arrange(server, other.id)
    _arrange(server, ws.id)
    c = ws.client("owner")
    for kind in ("document", "photo"):
        fid = theirs[kind][0]
        for method, path, body in [
            ("GET", f"/api/v1/files/{kind}/{fid}", None),
            ("GET", f"/api/v1/files/{kind}/{fid}/content", None),
            ("POST", f"/api/v1/files/{kind}/{fid}/review", {"decision": "shareable"}),
        ]:
            r = c.request(method, path, json=body)
            missing = c.request(method, path.replace(str(fid), "987654321"), json=body)
            assert r.status_code == missing.status_code == 404, path
            assert r.json()["detail"] == missing.json()["detail"]
    assert all(x["kind"] and x["customer_name"] for x in c.get("/api/v1/files").json()["data"])
    assert c.get("/api/v1/files").json()["count"] == 4
    assert other.client("owner").get("/api/v1/files").json()["count"] == 4
    with server.sessionmaker() as s:
        assert s.get_one(Document, theirs["document"][0]).review_status == "pending"
    other.close()


def test_dispatcher_cannot_review(server: Server, ws: TestWorkspace) -> None:
    made = _arrange(server, ws.id)
    d = ws.client("dispatcher")
    doc = made["document"][0]
    assert d.get("/api/v1/files").status_code == 403
    assert d.get(f"/api/v1/files/document/{doc}/content").status_code == 403
    r = d.post(f"/api/v1/files/document/{doc}/review", json={"decision": "shareable"})
    assert r.status_code == 403 and "review files" in r.json()["detail"]
    assert (
        ws.client("owner").get(f"/api/v1/files/document/{doc}").json()["review_status"] == "pending"
    )


def test_unauthenticated_download_is_refused(
    anon: httpx.Client, server: Server, ws: TestWorkspace
) -> None:
    made = _arrange(server, ws.id)
    r = anon.get(f"/api/v1/files/document/{made['document'][0]}/content")
    assert r.status_code == 401 and r.json()["detail"]


def test_caption_bulk_and_reviewer_name(server: Server, ws: TestWorkspace) -> None:
    files = _arrange(server, ws.id)
    c = ws.client("manager")
    doc, photo = files["document"][0], files["photo"][0]
    r = c.post(
        f"/api/v1/files/photo/{photo}/review",
        json={"decision": "shareable", "caption": "  New   boiler, fitted "},
    )
    assert r.status_code == 200, r.text
    assert r.json()["title"] == "New boiler, fitted" and r.json()["reviewed_by_name"]
    r = c.post(
        f"/api/v1/files/document/{doc}/review", json={"decision": "shareable", "caption": " "}
    )
    assert r.status_code == 422 and r.json()["errors"]["caption"]
    assert c.get(f"/api/v1/files/document/{doc}").json()["review_status"] == "pending"
    # Documents and photos are numbered apart: the photo is left out by kind and id.
    rest = [
        {"kind": k, "id": i} for k, ids in files.items() for i in ids if (k, i) != ("photo", photo)
    ]
    r = c.post("/api/v1/files/review", json={"decision": "rejected", "files": rest})
    assert r.status_code == 200, r.text
    assert {f["review_status"] for f in r.json()["data"]} == {"rejected"}
    assert c.get("/api/v1/files", params={"status": "pending"}).json()["count"] == 0


def test_bulk_review_is_all_or_nothing(server: Server, ws: TestWorkspace) -> None:
    files = _arrange(server, ws.id)
    c = ws.client("manager")
    mine = [{"kind": "document", "id": i} for i in files["document"]]
    for body in (
        {"decision": "shareable", "files": [*mine, {"kind": "document", "id": 999999999}]},
        {"decision": "shareable", "files": []},
        {"decision": "publish", "files": mine},
        {"decision": "shareable", "files": [{"kind": "invoice", "id": 1}]},
        {"decision": "shareable", "files": [{"kind": "document", "id": 0}]},
        {"decision": "shareable", "files": [{"kind": "document", "id": 1}] * 501},
    ):
        r = c.post("/api/v1/files/review", json=body)
        assert r.status_code in (404, 422) and r.json()["detail"], body
    pending = c.get("/api/v1/files", params={"status": "pending", "limit": 500}).json()
    assert pending["count"] == sum(len(v) for v in files.values())
    r = ws.client("dispatcher").post(
        "/api/v1/files/review", json={"decision": "shareable", "files": mine}
    )
    assert r.status_code == 403
