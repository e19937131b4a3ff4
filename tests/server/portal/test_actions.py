"""Quote approval and decline, service requests, documents, visibility, and staff previews."""

from __future__ import annotations

import concurrent.futures
import re

from sqlalchemy import select

from server.db.models import (
    AuditEvent,
    Change,
    Job,
    Photo,
    PortalAccount,
    Quote,
    ServiceRequest,
    Workspace,
)
from tests.server.conftest import Server
from tests.server.portal.fixtures import PNG, Browser, PortalCustomer
from tests.support.workspaces import TestWorkspace


def test_approve_records_name_time_and_address_once(
    signed_in: Browser, customer: PortalCustomer, server: Server
) -> None:
    qid = customer.ids["quote"]
    page = signed_in.get(f"/quotes/{qid}")
    assert "Approve quote" in page.text and "$2,500.00" in page.text
    assert (
        "Boiler unit" in page.text and "$2,000.00" not in page.text
    )  # line prices hidden by default
    no_tick = signed_in.post(
        f"/quotes/{qid}/approve", {"name": "Dana Whitfield"}, form_page=f"/quotes/{qid}"
    )
    assert no_tick.status_code == 422 and "Tick the box" in no_tick.text
    no_name = signed_in.post(
        f"/quotes/{qid}/approve", {"name": " ", "agree": "yes"}, form_page=f"/quotes/{qid}"
    )
    assert no_name.status_code == 422 and "Type your full name" in no_name.text
    token = signed_in.token(f"/quotes/{qid}")
    data = {"name": "Dana Whitfield", "agree": "yes", "csrf_token": token}

    def go() -> int:
        return signed_in.client.post(
            signed_in.path(f"/quotes/{qid}/approve"), data=data
        ).status_code

    with concurrent.futures.ThreadPoolExecutor(4) as pool:
        codes = sorted(pool.map(lambda _: go(), range(4)))
    assert codes == [303, 409, 409, 409]
    with server.sessionmaker() as db:
        quote = db.get(Quote, qid)
        assert quote is not None and quote.status == "approved"
        assert quote.approved_name == "Dana Whitfield" and quote.approved_ip == "127.0.0.1"
        assert quote.decided_at is not None and quote.decided_by_contact_id == customer.contact_id
        events = db.scalars(
            select(AuditEvent).where(
                AuditEvent.action == "portal.quote_approved",
                AuditEvent.customer_id == customer.customer_id,
            )
        ).all()
        assert len(events) == 1
        assert db.scalar(select(Change).where(Change.entity == "quote", Change.entity_id == qid))
    after = signed_in.get(f"/quotes/{qid}")
    assert "Approved by" in after.text and "Approve quote" not in after.text
    decline = signed_in.post(f"/quotes/{qid}/decline", {"reason": "too late"}, form_page="/")
    assert decline.status_code == 409 and "already been approved" in decline.text


def test_decline_and_expired_quotes(
    signed_in: Browser, customer: PortalCustomer, server: Server
) -> None:
    qid = customer.ids["quote"]
    with server.sessionmaker() as db:
        from datetime import timedelta

        from server.db.base import utcnow

        quote = db.get(Quote, qid)
        assert quote is not None
        expired = Quote(
            workspace_id=quote.workspace_id,
            customer_id=quote.customer_id,
            number="Q-8",
            title="Old quote",
            expires_at=utcnow() - timedelta(days=1),
        )
        db.add(expired)
        db.commit()
        expired_id = expired.id
    r = signed_in.post(
        f"/quotes/{expired_id}/approve", {"name": "Dana W", "agree": "yes"}, form_page="/"
    )
    assert r.status_code == 409 and "expired" in r.text
    assert "Approve quote" not in signed_in.get(f"/quotes/{expired_id}").text
    ok = signed_in.post(f"/quotes/{qid}/decline", {"reason": "Too expensive"}, form_page="/")
    assert ok.status_code == 303
    with server.sessionmaker() as db:
        quote = db.get(Quote, qid)
        assert (
            quote is not None
            and quote.status == "declined"
            and quote.declined_reason == "Too expensive"
        )


def test_service_request_becomes_a_job_in_the_queue(
    signed_in: Browser, customer: PortalCustomer, server: Server
) -> None:
    bad = signed_in.post("/request", {"description": "x", "address_id": "999"})
    assert (
        bad.status_code == 422
        and "few words" in bad.text
        and "Choose one of your addresses" in bad.text
    )
    svg = signed_in.post(
        "/request",
        {"description": "Leaking tap", "address_id": str(customer.ids["address"])},
        files={"photos": ("x.svg", b"<svg xmlns='http://www.w3.org/2000/svg'/>", "image/svg+xml")},
    )
    assert svg.status_code == 422 and "SVG" in svg.text
    r = signed_in.post(
        "/request",
        {
            "description": "Leaking tap in the kitchen",
            "address_id": str(customer.ids["address"]),
            "preferred_times": "Mornings",
        },
        files={"photos": ("tap.png", PNG, "image/png")},
    )
    assert r.status_code == 303
    page = signed_in.client.get(r.headers["location"])
    assert page.status_code == 200 and "Leaking tap in the kitchen" in page.text
    with server.sessionmaker() as db:
        sr = db.scalars(
            select(ServiceRequest).where(ServiceRequest.customer_id == customer.customer_id)
        ).one()
        job = db.get(Job, sr.job_id)
        assert job is not None and job.source == "portal" and job.internal_status == "requested"
        assert sr.preferred_times == "Mornings" and sr.address_id == customer.ids["address"]
        photo = db.scalars(select(Photo).where(Photo.service_request_id == sr.id)).one()
        assert photo.review_status == "pending"
        assert db.scalar(
            select(Change).where(Change.entity == "service_request", Change.entity_id == sr.id)
        )
        assert db.scalar(select(AuditEvent).where(AuditEvent.action == "portal.service_requested"))
    assert "Leaking tap" in signed_in.get("/jobs").text  # shown with the customer-facing label
    assert "Requested" in signed_in.get("/jobs").text


def test_document_download_headers(signed_in: Browser, customer: PortalCustomer) -> None:
    r = signed_in.get(f"/documents/{customer.ids['document']}/download")
    assert r.status_code == 200 and r.content.startswith(b"%PDF")
    assert r.headers["content-disposition"].startswith(
        'attachment; filename="manual-internal-ref.pdf"'
    )
    assert r.headers["x-content-type-options"] == "nosniff"


def test_hidden_fields_never_leave_the_server(
    signed_in: Browser, customer: PortalCustomer, server: Server, ws: TestWorkspace
) -> None:
    with server.sessionmaker() as db:
        w = db.get(Workspace, ws.id)
        assert w is not None
        w.visibility = {
            "fields": {
                "jobs": {"technician_name": False, "address": False},
                "documents": {"filename": False},
                "photos": {"caption": False},
                "quotes": {"line_costs": True},
            },
            "sections": {"invoices": False},
            "status_labels": {"scheduled": "Booked in"},
        }
        db.commit()
    job = signed_in.get(f"/jobs/{customer.ids['job']}")
    assert job.status_code == 200
    for hidden in ("Tech Ray", "Orchard Lane", "Old valve", "manual-internal-ref", "SECRET-NOTE"):
        assert hidden not in job.text
    assert "Booked in" in job.text and "Boiler manual" in job.text
    r = signed_in.get(f"/documents/{customer.ids['document']}/download")
    assert "manual-internal-ref" not in r.headers["content-disposition"]
    assert "Boiler manual.pdf" in r.headers["content-disposition"]
    assert signed_in.get("/invoices").status_code == 404
    assert signed_in.get(f"/invoices/{customer.ids['invoice']}").status_code == 404
    assert 'href="/p/' + customer.slug + '/invoices"' not in signed_in.get("/").text
    quote = signed_in.get(f"/quotes/{customer.ids['quote']}")
    assert "$2,000.00" in quote.text and "1,234.56" not in quote.text


def _strip_tokens(html: str) -> str:
    return re.sub(r'name="csrf_token" value="[^"]+"', 'name="csrf_token" value=""', html)


def test_preview_equals_the_contacts_own_pages_and_changes_nothing(
    signed_in: Browser, customer: PortalCustomer, server: Server, ws: TestWorkspace
) -> None:
    staff = ws.client("dispatcher")
    bad = staff.post("/api/v1/previews", json={"contact_id": 999999999})
    assert bad.status_code == 404
    created = staff.post("/api/v1/previews", json={"contact_id": customer.contact_id})
    assert created.status_code == 201, created.text
    body = created.json()
    assert body["url"].startswith(server.url + f"/p/{ws.slug}/preview/") and body["expires_at"]
    with server.sessionmaker() as db:
        before = db.get(PortalAccount, customer.account_id)
        assert before is not None
        last_sign_in = before.last_sign_in_at
    viewer = Browser(server.url, ws.slug)
    opened = viewer.client.get(body["url"])
    assert opened.status_code == 303
    assert viewer.client.get(body["url"]).status_code == 410  # single use
    ids = customer.ids
    for path in [
        "/",
        "/jobs",
        f"/jobs/{ids['job']}",
        f"/quotes/{ids['quote']}",
        "/invoices",
        f"/invoices/{ids['invoice']}",
        "/documents",
        "/request",
    ]:
        mine, seen = signed_in.get(path), viewer.get(path)
        assert seen.status_code == mine.status_code == 200
        assert _strip_tokens(seen.text) == _strip_tokens(mine.text), path
    posted = viewer.post(
        f"/quotes/{ids['quote']}/approve",
        {"name": "Staff", "agree": "yes"},
        form_page=f"/quotes/{ids['quote']}",
    )
    assert posted.status_code == 200 and "nothing was changed" in posted.text
    viewer.post("/sign-out", form_page="/")
    assert viewer.get("/").status_code == 200  # the preview is still open: sign-out did nothing
    with server.sessionmaker() as db:
        assert db.get(Quote, ids["quote"]).status == "pending"  # type: ignore[union-attr]
        after = db.get(PortalAccount, customer.account_id)
        assert after is not None and after.last_sign_in_at == last_sign_in
        event = db.scalars(
            select(AuditEvent).where(
                AuditEvent.action == "staff.preview", AuditEvent.workspace_id == ws.id
            )
        ).one()
        assert event.actor_kind == "staff" and event.contact_id == customer.contact_id
    viewer.close()


def test_preview_with_draft_visibility(
    customer: PortalCustomer, server: Server, ws: TestWorkspace
) -> None:
    with server.sessionmaker() as db:
        w = db.get(Workspace, ws.id)
        assert w is not None
        w.visibility_draft = {"fields": {"jobs": {"technician_name": False}}}
        w.branding_draft = {"brand_name": "Draft Brand Name"}
        db.commit()
    url = (
        ws.client("manager")
        .post(
            "/api/v1/previews",
            json={
                "contact_id": customer.contact_id,
                "use_draft_visibility": True,
                "use_draft_branding": True,
            },
        )
        .json()["url"]
    )
    viewer = Browser(server.url, ws.slug)
    viewer.client.get(url)
    page = viewer.get(f"/jobs/{customer.ids['job']}")
    assert "Tech Ray" not in page.text and "Draft Brand Name" in page.text
    viewer.close()
