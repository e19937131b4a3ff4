"""Service requests in the office queue: filed, accepted, asked about (and answered on the
portal), declined, and what happens when the customer is deleted meanwhile."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import httpx
from sqlalchemy import select

from server.db.base import utcnow
from server.db.models import Customer, FollowUp, Job, OutboxEmail, ServiceRequest
from tests.server.conftest import Server
from tests.server.portal.fixtures import PNG, Browser, PortalCustomer
from tests.support.workspaces import TestWorkspace


def send_request(browser: Browser, customer: PortalCustomer) -> int:
    """Send a request with a photo through the portal; its id."""
    r = browser.post(
        "/request",
        {
            "description": "Leaking tap in the kitchen\nIt drips all night.",
            "address_id": str(customer.ids["address"]),
            "preferred_times": "Weekday mornings",
        },
        files={"photos": ("tap.png", PNG, "image/png")},
    )
    assert r.status_code == 303, r.text[:300]
    return int(r.headers["location"].rsplit("/", 1)[1])


def the_item(client: httpx.Client) -> dict[str, Any]:
    """The one service-request item of the inbox."""
    page = client.get("/api/v1/follow-ups", params={"kind": "service_request"}).json()
    assert page["count"] == 1, page
    item: dict[str, Any] = page["data"][0]
    return item


def _when(days: int, hours: int = 9) -> str:
    return (utcnow() + timedelta(days=days)).replace(hour=hours, minute=0).isoformat()


def test_a_request_arrives_as_a_requested_job_with_its_item(
    server: Server, ws: TestWorkspace, portal_customer: PortalCustomer, customer_browser: Browser
) -> None:
    rid = send_request(customer_browser, portal_customer)
    item = the_item(ws.client("dispatcher"))
    assert item["request_status"] == "requested" and item["service_request_id"] == rid
    assert item["title"] == "Service requested by Dana Whitfield: Leaking tap in the kitchen"
    details = item["details"]
    assert details["preferred_times"] == "Weekday mornings"
    assert details["address"] == "12 Orchard Lane, Springfield, 54321"
    assert len(details["photo_ids"]) == 1 and details["job_number"] == f"REQ-{rid}"
    with server.sessionmaker() as db:
        job = db.get(Job, item["job_id"])
        assert job is not None and job.internal_status == "requested"
    got = ws.client("dispatcher").get(f"/api/v1/service-requests/{rid}")
    assert got.status_code == 200 and got.json()["status"] == "requested"
    assert (
        got.json()["follow_up_id"] == item["id"]
        and got.json()["photo_ids"] == (details["photo_ids"])
    )
    # The customer sees it as requested on their jobs list.
    assert "Requested" in customer_browser.get("/jobs").text


def test_ask_then_the_customer_answers_on_the_portal(
    server: Server, ws: TestWorkspace, portal_customer: PortalCustomer, customer_browser: Browser
) -> None:
    rid = send_request(customer_browser, portal_customer)
    office = ws.client("dispatcher")
    url = f"/api/v1/service-requests/{rid}"
    for body in ({"question": ""}, {"question": "why"}, {}, {"question": "x" * 2001}):
        bad = office.post(f"{url}/ask", json=body)
        assert bad.status_code == 422 and "question" in bad.json()["errors"], bad.text
    question = "Is the leak under the sink or at the tap itself?"
    asked = office.post(f"{url}/ask", json={"question": question})
    assert asked.status_code == 200, asked.text
    assert asked.json()["status"] == "needs_info" and asked.json()["question"] == question
    with server.sessionmaker() as db:
        mail = db.scalars(
            select(OutboxEmail).where(
                OutboxEmail.workspace_id == ws.id, OutboxEmail.kind == "request_question"
            )
        ).one()
        assert mail.to_address == portal_customer.email and question in mail.body_text
        assert mail.link is not None and mail.link.endswith(f"/p/{ws.slug}/requests/{rid}")
    item = the_item(office)
    assert item["request_status"] == "needs_info" and item["details"]["question"] == question
    page = customer_browser.get(f"/requests/{rid}")
    assert page.status_code == 200 and question in page.text and "Send answer" in page.text
    job_page = customer_browser.get(f"/jobs/{item['job_id']}")
    assert "We have a question about your request" in job_page.text
    assert f"/requests/{rid}" in job_page.text
    empty = customer_browser.post(
        f"/requests/{rid}/answer", {"answer": " "}, form_page=f"/requests/{rid}"
    )
    assert empty.status_code == 422 and "Write your answer" in empty.text
    # The office marks the item done meanwhile; the answer brings it back, open, on top.
    done = office.patch(
        f"/api/v1/follow-ups/{item['id']}",
        json={"state": "done", "note": "Waiting on the customer"},
        headers={"If-Match": f'"{item["version"]}"'},
    )
    assert done.status_code == 200
    sent = customer_browser.post(
        f"/requests/{rid}/answer",
        {"answer": "Under the sink, where the pipe joins."},
        form_page=f"/requests/{rid}",
    )
    assert sent.status_code == 303
    shown = customer_browser.client.get(sent.headers["location"])
    assert "we have your answer" in shown.text and "Under the sink" in shown.text
    again = the_item(office)
    assert again["state"] == "open" and again["request_status"] == "requested"
    assert again["details"]["answer"] == "Under the sink, where the pipe joins."
    assert again["happened_at"] > item["happened_at"]
    twice = customer_browser.post(
        f"/requests/{rid}/answer", {"answer": "Again"}, form_page=f"/requests/{rid}"
    )
    assert twice.status_code in (403, 409), twice.status_code  # no form any more
    assert office.get(url).json()["answer"] == "Under the sink, where the pipe joins."
    job_page = customer_browser.get(f"/jobs/{item['job_id']}")
    assert "We have a question" not in job_page.text and "See the request you sent" in (
        job_page.text
    )


def test_accept_schedules_the_job_and_cannot_be_repeated(
    server: Server, ws: TestWorkspace, portal_customer: PortalCustomer, customer_browser: Browser
) -> None:
    rid = send_request(customer_browser, portal_customer)
    office = ws.client("dispatcher")
    url = f"/api/v1/service-requests/{rid}"
    backwards = office.post(
        f"{url}/accept", json={"scheduled_start": _when(3, 11), "scheduled_end": _when(3, 9)}
    )
    assert backwards.status_code == 422 and "scheduled_end" in backwards.json()["errors"]
    naive = office.post(
        f"{url}/accept",
        json={"scheduled_start": "2030-01-01T09:00:00", "scheduled_end": "2030-01-01T10:00:00"},
    )
    assert naive.status_code == 422 and "scheduled_start" in naive.json()["errors"]
    body = {
        "scheduled_start": _when(3, 9),
        "scheduled_end": _when(3, 11),
        "technician_name": "Sam Carter",
    }
    ok = office.post(f"{url}/accept", json=body)
    assert ok.status_code == 200, ok.text
    assert ok.json()["status"] == "accepted" and ok.json()["technician_name"] == "Sam Carter"
    with server.sessionmaker() as db:
        req = db.get(ServiceRequest, rid)
        assert req is not None and req.job_id is not None
        job = db.get(Job, req.job_id)
        assert job is not None and job.internal_status == "scheduled"
    item = the_item(office)
    assert item["state"] == "done" and item["request_status"] == "accepted"
    assert (
        item["done_note"].startswith("Accepted: scheduled for")
        and "Sam Carter" in (item["done_note"])
    )
    assert office.post(f"{url}/accept", json=body).status_code == 409
    late = office.post(f"{url}/decline", json={"reason": "Too far away for us"})
    assert late.status_code == 409 and "already accepted" in late.json()["detail"]
    page = customer_browser.get(f"/requests/{rid}")
    assert "Booked" in page.text and "Sam Carter" in page.text


def test_decline_shows_the_reason_and_blocks_accepting(
    server: Server, ws: TestWorkspace, portal_customer: PortalCustomer, customer_browser: Browser
) -> None:
    rid = send_request(customer_browser, portal_customer)
    office = ws.client("manager")
    url = f"/api/v1/service-requests/{rid}"
    assert office.post(f"{url}/decline", json={"reason": "  "}).status_code == 422
    no = office.post(f"{url}/decline", json={"reason": "We do not cover your area, sorry."})
    assert no.status_code == 200 and no.json()["status"] == "declined"
    with server.sessionmaker() as db:
        req = db.get(ServiceRequest, rid)
        assert req is not None and req.job_id is not None
        job = db.get(Job, req.job_id)
        assert job is not None and job.internal_status == "declined"
        kinds = db.scalars(select(OutboxEmail.kind).where(OutboxEmail.workspace_id == ws.id)).all()
        assert "request_declined" in kinds
    accept = office.post(
        f"{url}/accept", json={"scheduled_start": _when(2), "scheduled_end": _when(2, 10)}
    )
    assert accept.status_code == 409 and "already declined on" in accept.json()["detail"]
    page = customer_browser.get(f"/requests/{rid}")
    assert "We do not cover your area, sorry." in page.text and "Not taken on" in page.text
    item = the_item(office)
    assert item["state"] == "done" and item["details"]["reason"].startswith("We do not cover")
    # The CRM reads the same state back.
    activity = ws.client("owner").get("/api/v1/records/activity").json()["data"]
    (latest,) = [a for a in activity if a["kind"] == "service_request" and a["record_id"] == rid]
    assert latest["status"] == "declined"
    assert latest["decline_reason"] == "We do not cover your area, sorry."
    assert latest["job_id"] == item["job_id"]


def test_a_request_whose_customer_was_deleted(
    server: Server, ws: TestWorkspace, portal_customer: PortalCustomer, customer_browser: Browser
) -> None:
    rid = send_request(customer_browser, portal_customer)
    office = ws.client("owner")
    item = the_item(office)
    with server.sessionmaker() as db:
        customer = db.get(Customer, portal_customer.customer_id)
        assert customer is not None
        customer.external_id = "crm-gone-1"
        db.commit()
    deleted = office.delete("/api/v1/records/customers/crm-gone-1")
    assert deleted.status_code == 204, deleted.text
    kept = the_item(office)
    assert kept["id"] == item["id"] and kept["customer_deleted"] is True
    assert kept["customer_id"] is None and kept["customer_name"] == item["customer_name"]
    assert kept["details"]["description"].startswith("Leaking tap")
    url = f"/api/v1/service-requests/{rid}"
    for r in (
        office.get(url),
        office.post(
            f"{url}/accept", json={"scheduled_start": _when(1), "scheduled_end": _when(1, 10)}
        ),
        office.post(f"{url}/ask", json={"question": "Are you still there?"}),
    ):
        assert r.status_code == 410, r.text
        assert "customer who sent this request has been deleted" in r.json()["detail"]
    with server.sessionmaker() as db:
        assert db.scalar(select(FollowUp).where(FollowUp.id == item["id"])) is not None
    # Someone else's or no request at all is a plain 404.
    assert office.get("/api/v1/service-requests/987654321").status_code == 404
