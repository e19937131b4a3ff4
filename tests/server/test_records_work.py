"""Records API: jobs, quotes, invoices (with office payments), the batch, and read-back."""

from __future__ import annotations

from typing import Any

import httpx
from sqlalchemy import select

from server.db.base import utcnow
from server.db.models import Contact, Customer, Invoice, Job, Payment, Quote, ServiceRequest
from server.domain.changes import record_change
from tests.server.conftest import Server
from tests.server.records_support import changes, contact_body, customer_body, put
from tests.support.workspaces import TestWorkspace


def _job(**extra: Any) -> dict[str, Any]:
    return {
        "customer_external_id": "C-1",
        "number": "J-100",
        "title": "Annual boiler service",
        "internal_status": "scheduled",
        "scheduled_start": "2025-03-04T09:00:00Z",
        "scheduled_end": "2025-03-04T11:00:00Z",
        **extra,
    }


def _quote(**extra: Any) -> dict[str, Any]:
    lines = [
        {"description": "Replace valve", "quantity": 2, "unit_price_cents": 4500},
        {"description": "Labour", "unit_price_cents": 12000, "unit_cost_cents": 6000},
    ]
    return {
        "customer_external_id": "C-1",
        "number": "Q-7",
        "title": "Valve work",
        "lines": lines,
        **extra,
    }


def _invoice(**extra: Any) -> dict[str, Any]:
    return {
        "customer_external_id": "C-1",
        "number": "INV-9",
        "lines": [{"description": "Service", "unit_price_cents": 20000}],
        **extra,
    }


def _customer(c: httpx.Client) -> None:
    assert put(c, "customers", "C-1", customer_body()).status_code == 201


def test_job_upsert_and_unknown_customer(server: Server, ws: TestWorkspace) -> None:
    c = ws.client()
    r = put(c, "jobs", "J-100", _job())
    assert r.status_code == 422
    assert "Send the customer first" in r.json()["errors"]["customer_external_id"]
    _customer(c)
    r = put(c, "jobs", "J-100", _job(address_index=0))
    assert r.status_code == 201, r.text
    assert put(c, "jobs", "J-100", _job(address_index=0)).json()["changed"] is False
    r = put(c, "jobs", "J-100", _job(address_index=3))
    assert r.status_code == 422 and "address_index" in r.json()["errors"]
    r = put(c, "jobs", "J-100", _job(scheduled_end="2025-03-04T08:00:00Z"))
    assert r.status_code == 422 and "scheduled_end" in r.json()["errors"]
    r = put(c, "jobs", "J-100", _job(scheduled_start="2025-03-04T09:00:00"))  # no time zone
    assert r.status_code == 422 and "scheduled_start" in r.json()["errors"]
    with server.sessionmaker() as s:
        job = s.scalars(select(Job).where(Job.workspace_id == ws.id)).one()
        assert job.address_id is not None and job.source == "crm"


def test_quote_lines_total_and_settled_quote(server: Server, ws: TestWorkspace) -> None:
    c = ws.client()
    _customer(c)
    put(c, "jobs", "J-100", _job())
    r = put(c, "quotes", "Q-7", _quote(job_external_id="J-100"))
    assert r.status_code == 201, r.text
    qid = r.json()["id"]
    with server.sessionmaker() as s:
        q = s.get(Quote, qid)
        assert q is not None and q.total_cents == 2 * 4500 + 12000 and q.job_id is not None
    assert put(c, "quotes", "Q-7", _quote(job_external_id="J-100")).json()["changed"] is False
    r = put(c, "quotes", "Q-7", _quote(job_external_id="NOPE"))
    assert r.status_code == 422 and "job_external_id" in r.json()["errors"]
    with server.sessionmaker() as s:
        q = s.get(Quote, qid)
        assert q is not None
        q.status, q.approved_name, q.decided_at = "approved", "Hannah Okafor", utcnow()
        s.commit()
    # Unchanged again is fine; a change is refused and nothing is written.
    assert put(c, "quotes", "Q-7", _quote(job_external_id="J-100")).status_code == 200
    r = put(c, "quotes", "Q-7", _quote(job_external_id="J-100", title="Cheaper"))
    assert r.status_code == 409 and "already approved" in r.json()["detail"]
    with server.sessionmaker() as s:
        q = s.get(Quote, qid)
        assert q is not None and q.title == "Valve work" and q.status == "approved"


def test_invoice_balance_with_office_and_portal_payments(server: Server, ws: TestWorkspace) -> None:
    c = ws.client()
    _customer(c)
    pay = {
        "reference": "CHQ-1",
        "amount_cents": 5000,
        "method": "cheque",
        "paid_at": "2025-03-05T10:00:00Z",
    }
    r = put(c, "invoices", "INV-9", _invoice(office_payments=[pay]))
    assert r.status_code == 201, r.text
    iid = r.json()["id"]
    with server.sessionmaker() as s:
        inv = s.get(Invoice, iid)
        assert inv is not None and (inv.total_cents, inv.balance_cents, inv.status) == (
            20000,
            15000,
            "open",
        )
        cust_id = inv.customer_id
        s.add(
            Payment(
                workspace_id=ws.id,
                invoice_id=iid,
                customer_id=cust_id,
                amount_cents=15000,
                provider="sandbox",
                provider_ref=f"t-{iid}",
            )
        )
        s.commit()
    # The CRM pushes the invoice again: the portal payment counts, the invoice is paid.
    r = put(c, "invoices", "INV-9", _invoice(office_payments=[pay]))
    assert r.json()["changed"] is True
    with server.sessionmaker() as s:
        inv = s.get(Invoice, iid)
        assert inv is not None and (inv.balance_cents, inv.status) == (0, "paid")
        assert len(s.scalars(select(Payment).where(Payment.invoice_id == iid)).all()) == 2
    r = c.delete("/api/v1/records/invoices/INV-9")
    assert r.status_code == 409 and "void" in r.json()["detail"]


def test_office_payment_reference_clash(server: Server, ws: TestWorkspace) -> None:
    c = ws.client()
    _customer(c)
    pay = {"reference": "CASH-1", "amount_cents": 100, "paid_at": "2025-03-05T10:00:00Z"}
    assert put(c, "invoices", "INV-1", _invoice(office_payments=[pay])).status_code == 201
    r = put(c, "invoices", "INV-2", _invoice(number="INV-2", office_payments=[pay]))
    assert r.status_code == 422
    assert "another invoice" in r.json()["errors"]["office_payments.0.reference"]
    r = put(c, "invoices", "INV-1", _invoice(office_payments=[pay, pay]))
    assert r.status_code == 422


def test_batch_is_all_or_nothing(server: Server, ws: TestWorkspace) -> None:
    c = ws.client()
    good = {
        "customers": [{"external_id": "C-1", **customer_body()}],
        "contacts": [{"external_id": "P-1", **contact_body("C-1")}],
        "jobs": [{"external_id": "J-100", **_job()}],
    }
    bad = {**good, "quotes": [{"external_id": "Q-1", **_quote(customer_external_id="C-404")}]}
    r = c.post("/api/v1/records/batch", json=bad)
    assert r.status_code == 422
    assert "quotes.0.customer_external_id" in r.json()["errors"]
    assert r.json()["detail"].startswith("quotes item 0 (Q-1)")
    with server.sessionmaker() as s:
        assert s.scalar(select(Customer.id).where(Customer.workspace_id == ws.id)) is None
    r = c.post("/api/v1/records/batch", json=good)
    assert r.status_code == 200, r.text
    assert [x["entity"] for x in r.json()["data"]] == ["customer", "contact", "job"]
    assert r.json()["changed"] == 3
    assert c.post("/api/v1/records/batch", json=good).json()["changed"] == 0
    assert c.post("/api/v1/records/batch", json={}).status_code == 422


def test_activity_reads_back_customer_actions(server: Server, ws: TestWorkspace) -> None:
    c = ws.client()
    _customer(c)
    put(c, "contacts", "P-1", contact_body("C-1"))
    qid = put(c, "quotes", "Q-7", _quote()).json()["id"]
    iid = put(c, "invoices", "INV-9", _invoice()).json()["id"]
    assert c.get("/api/v1/records/activity").json()["data"] == []  # pending quote: nothing yet
    with server.sessionmaker() as s:
        contact = s.scalars(select(Contact).where(Contact.workspace_id == ws.id)).one()
        q = s.get(Quote, qid)
        assert q is not None
        q.status, q.approved_name, q.approved_ip = "approved", "Hannah Okafor", "203.0.113.9"
        q.decided_at, q.decided_by_contact_id = utcnow(), contact.id
        record_change(s, ws.id, "quote", qid, "upsert")
        p = Payment(
            workspace_id=ws.id,
            invoice_id=iid,
            customer_id=contact.customer_id,
            amount_cents=20000,
            provider="sandbox",
            provider_ref=f"a-{iid}",
            receipt_number="R-1",
            paid_by_contact_id=contact.id,
            paid_at=utcnow(),
        )
        sr = ServiceRequest(
            workspace_id=ws.id,
            customer_id=contact.customer_id,
            contact_id=contact.id,
            description="Dripping tap in kitchen",
        )
        s.add_all([p, sr])
        s.flush()
        record_change(s, ws.id, "payment", p.id, "upsert")
        record_change(s, ws.id, "service_request", sr.id, "upsert")
        s.commit()
    page = c.get("/api/v1/records/activity", params={"limit": 2}).json()
    assert [x["kind"] for x in page["data"]] == ["quote_approved", "payment"]
    first = page["data"][0]
    assert (first["typed_name"], first["ip"], first["record_external_id"]) == (
        "Hannah Okafor",
        "203.0.113.9",
        "Q-7",
    )
    assert first["contact_external_id"] == "P-1" and first["customer_external_id"] == "C-1"
    assert (
        page["data"][1]["record_external_id"] == "INV-9"
        and page["data"][1]["amount_cents"] == 20000
    )
    assert page["has_more"] is True
    rest = c.get("/api/v1/records/activity", params={"since": page["next_cursor"]}).json()
    assert [x["kind"] for x in rest["data"]] == ["service_request"]
    assert rest["data"][0]["description"] == "Dripping tap in kitchen"
    after = c.get("/api/v1/records/activity", params={"since": rest["next_cursor"]}).json()
    assert after["data"] == [] and after["next_cursor"] == rest["next_cursor"]
    assert c.get("/api/v1/records/activity", params={"since": "x"}).status_code == 422
    assert changes(c)["count"] > 0
