"""Records API: customers, addresses and contacts, upserted by external id."""

from __future__ import annotations

from sqlalchemy import select

from server.db.models import Address, Contact, Customer, PortalAccount
from tests.server.conftest import Server
from tests.server.records_support import changes, contact_body, customer_body, put
from tests.support.workspaces import TestWorkspace


def test_upsert_customer_is_idempotent(server: Server, ws: TestWorkspace) -> None:
    c = ws.client("manager")
    first = put(c, "customers", "C-1", customer_body())
    assert first.status_code == 201, first.text
    assert first.json()["created"] and first.json()["changed"]
    before = changes(c)["next_cursor"]
    again = put(c, "customers", "C-1", customer_body())
    assert again.status_code == 200
    assert again.json() == {**first.json(), "created": False, "changed": False}
    assert changes(c, before)["data"] == []  # no new change sequence
    with server.sessionmaker() as s:
        cust = s.scalars(select(Customer).where(Customer.workspace_id == ws.id)).one()
        assert cust.address_line == "12 Alder St, Portland, 97201"
        assert cust.version == 1


def test_customer_change_refreshes_summary_and_feed(server: Server, ws: TestWorkspace) -> None:
    c = ws.client("owner")
    put(c, "customers", "C-1", customer_body())
    cursor = changes(c)["next_cursor"]
    body = customer_body(
        name="Hannah Okafor-Reid",
        addresses=[
            {"label": "Rental", "line1": "9 Birch Rd", "city": "Salem", "postcode": "97301"},
            {"line1": "12 Alder St", "city": "Portland", "postcode": "97201"},
        ],
    )
    r = put(c, "customers", "C-1", body)
    assert r.status_code == 200 and r.json()["changed"] is True
    page = changes(c, cursor)
    assert [(x["entity"], x["op"]) for x in page["data"]] == [("customer", "upsert")]
    data = page["data"][0]["data"]
    assert data["name"] == "Hannah Okafor-Reid"
    assert data["address"] == "9 Birch Rd, Salem, 97301"
    assert data["version"] == 2
    with server.sessionmaker() as s:
        stored = select(Address).where(Address.customer_id == r.json()["id"])
        n = s.scalars(stored.order_by(Address.id)).all()
        assert [a.city for a in n] == ["Salem", "Portland"]


def test_contact_upsert_updates_customer(server: Server, ws: TestWorkspace) -> None:
    c = ws.client("owner")
    cust = put(c, "customers", "C-1", customer_body()).json()
    cursor = changes(c)["next_cursor"]
    r = put(c, "contacts", "P-1", contact_body("C-1"))
    assert r.status_code == 201, r.text
    page = changes(c, cursor)
    kinds = [(x["entity"], x["id"]) for x in page["data"]]
    assert ("contact", r.json()["id"]) in kinds and ("customer", cust["id"]) in kinds
    row = next(x for x in page["data"] if x["entity"] == "customer")["data"]
    assert row["primary_email"] == "hannah@example.com"
    assert row["primary_contact_name"] == "Hannah Okafor"
    # The same contact again: nothing new.
    cursor = changes(c)["next_cursor"]
    assert put(c, "contacts", "P-1", contact_body("C-1")).json()["changed"] is False
    assert changes(c, cursor)["data"] == []


def test_contact_for_unknown_customer_is_422(server: Server, ws: TestWorkspace) -> None:
    r = put(ws.client(), "contacts", "P-1", contact_body("NOPE"))
    assert r.status_code == 422
    assert "NOPE" in r.json()["errors"]["customer_external_id"]
    with server.sessionmaker() as s:
        assert s.scalar(select(Contact.id).where(Contact.workspace_id == ws.id)) is None


def _give_account(server: Server, ws: TestWorkspace, contact_id: int, email: str) -> int:
    with server.sessionmaker() as s:
        contact = s.get(Contact, contact_id)
        assert contact is not None
        acc = PortalAccount(
            workspace_id=ws.id,
            contact_id=contact_id,
            customer_id=contact.customer_id,
            email_normalized=email,
            status="active",
        )
        s.add(acc)
        s.commit()
        return acc.id


def test_contact_email_change_follows_to_portal_account(server: Server, ws: TestWorkspace) -> None:
    c = ws.client()
    put(c, "customers", "C-1", customer_body())
    contact_id = put(c, "contacts", "P-1", contact_body("C-1")).json()["id"]
    account_id = _give_account(server, ws, contact_id, "hannah@example.com")
    r = put(c, "contacts", "P-1", contact_body("C-1", email="Hannah.New@Example.com"))
    assert r.status_code == 200, r.text
    with server.sessionmaker() as s:
        acc = s.get(PortalAccount, account_id)
        assert acc is not None and acc.email_normalized == "hannah.new@example.com"


def test_contact_email_taken_by_other_account_is_409(server: Server, ws: TestWorkspace) -> None:
    c = ws.client()
    put(c, "customers", "C-1", customer_body())
    put(c, "customers", "C-2", customer_body("Marcus Bell"))
    a = put(c, "contacts", "P-1", contact_body("C-1")).json()["id"]
    b = put(c, "contacts", "P-2", contact_body("C-2", email="marcus@example.com")).json()["id"]
    _give_account(server, ws, a, "hannah@example.com")
    _give_account(server, ws, b, "marcus@example.com")
    r = put(c, "contacts", "P-2", contact_body("C-2", email="hannah@example.com"))
    assert r.status_code == 409
    assert "already signs in with hannah@example.com" in r.json()["detail"]
    with server.sessionmaker() as s:  # nothing half-written
        contact = s.get(Contact, b)
        assert contact is not None and contact.email_normalized == "marcus@example.com"
    r = put(c, "contacts", "P-2", contact_body("C-2", email=None))
    assert r.status_code == 409
    assert "Disable their portal access" in r.json()["detail"]


def test_contact_moves_between_customers(server: Server, ws: TestWorkspace) -> None:
    c = ws.client()
    put(c, "customers", "C-1", customer_body())
    put(c, "customers", "C-2", customer_body("Marcus Bell"))
    put(c, "contacts", "P-1", contact_body("C-1"))
    r = put(c, "contacts", "P-1", contact_body("C-2"))
    assert r.status_code == 200
    with server.sessionmaker() as s:
        rows = {
            x.external_id: x
            for x in s.scalars(select(Customer).where(Customer.workspace_id == ws.id))
        }
        assert rows["C-1"].primary_email is None
        assert rows["C-2"].primary_email == "hannah@example.com"


def test_delete_customer_leaves_tombstones(server: Server, ws: TestWorkspace) -> None:
    c = ws.client()
    cust = put(c, "customers", "C-1", customer_body()).json()["id"]
    contact = put(c, "contacts", "P-1", contact_body("C-1")).json()["id"]
    cursor = changes(c)["next_cursor"]
    assert c.delete("/api/v1/records/customers/C-1").status_code == 204
    page = changes(c, cursor)
    got = {(x["entity"], x["id"], x["op"]) for x in page["data"]}
    assert got == {("contact", contact, "delete"), ("customer", cust, "delete")}
    again = c.delete("/api/v1/records/customers/C-1")
    assert again.status_code == 404
    assert again.json()["detail"] == "No customer with that external id in this workspace."
    r = c.delete("/api/v1/records/contacts/P-1")
    assert r.status_code == 404
