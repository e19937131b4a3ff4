"""The customer list (search, filter, pages), one customer, and editing a contact."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from server.db.base import utcnow
from server.db.models import AuditEvent, Contact, PortalAccount
from tests.server.conftest import Server
from tests.support.customers import activate, add_customer, set_role_permissions
from tests.support.workspaces import TestWorkspace, make_workspace


def _names(body: dict) -> list[str]:
    return [r["name"] for r in body["data"]]


def _arrange(server: Server, ws: TestWorkspace) -> dict[str, int]:
    f = server.sessionmaker
    ids = {}
    ids["ada"] = add_customer(
        f,
        ws.id,
        "Ada Lovelace",
        [("Ada Lovelace", "Ada@Example.com ", "(555) 010-1234")],
        address=("12 Analytical Way", "London", "N1 1AA"),
    ).customer_id
    ids["alan"] = add_customer(
        f,
        ws.id,
        "Alan Turing",
        [("Alan Turing", "alan@example.com", None)],
        address=("3 Bletchley Road", "Milton Keynes", "MK3 6EB"),
    ).customer_id
    ids["grace"] = add_customer(
        f, ws.id, "Grace Hopper", [("Grace Hopper", None, "555 777 8888")]
    ).customer_id
    ids["edsger"] = add_customer(f, ws.id, "Edsger Dijkstra").customer_id
    ids["barbara"] = add_customer(
        f, ws.id, "Barbara Liskov", [("Barbara Liskov", "barbara@example.com", None)]
    ).customer_id
    return ids


def test_list_pages_in_name_order_with_total(server: Server, ws: TestWorkspace) -> None:
    _arrange(server, ws)
    c = ws.client("dispatcher")
    seen: list[str] = []
    cursor = None
    pages = 0
    while True:
        params = {"limit": 2} | ({"cursor": cursor} if cursor else {})
        r = c.get("/api/v1/customers", params=params)
        assert r.status_code == 200, r.text
        body = r.json()
        assert body["count"] == 5
        seen += _names(body)
        pages += 1
        cursor = body["next_cursor"]
        if cursor is None:
            break
    assert pages == 3
    # sort_name is "last first"
    assert seen == [
        "Edsger Dijkstra",
        "Grace Hopper",
        "Barbara Liskov",
        "Ada Lovelace",
        "Alan Turing",
    ]


def test_search_by_name_email_phone_and_address(server: Server, ws: TestWorkspace) -> None:
    _arrange(server, ws)
    c = ws.client("dispatcher")

    def find(q: str) -> list[str]:
        r = c.get("/api/v1/customers", params={"q": q})
        assert r.status_code == 200, r.text
        assert r.json()["count"] == len(r.json()["data"])
        return _names(r.json())

    assert find("lovelace") == ["Ada Lovelace"]
    assert find("ADA@example") == ["Ada Lovelace"]
    assert find("555-010-1234") == ["Ada Lovelace"]  # punctuation differs from the stored form
    assert find("5550101234") == ["Ada Lovelace"]
    assert find("7778888") == ["Grace Hopper"]
    assert find("bletchley") == ["Alan Turing"]
    assert find("turing milton") == ["Alan Turing"]  # every word, anywhere
    assert find("turing london") == []
    assert find("tu") == ["Alan Turing"]  # short terms work too
    assert find("example.com") == ["Barbara Liskov", "Ada Lovelace", "Alan Turing"]
    assert find("100%") == []  # wildcards are literal


def test_a_search_of_short_words_is_the_start_of_a_name(server: Server, ws: TestWorkspace) -> None:
    _arrange(server, ws)  # sort names are "last first" here
    c = ws.client("dispatcher")

    def find(q: str, **more: str) -> dict:
        r = c.get("/api/v1/customers", params={"q": q, **more})
        assert r.status_code == 200, r.text
        return r.json()

    assert _names(find("lo")) == ["Ada Lovelace"]
    assert _names(find("L")) == ["Barbara Liskov", "Ada Lovelace"]
    assert _names(find("ov")) == []  # inside a name: type a third letter to find it
    assert _names(find("ovel")) == ["Ada Lovelace"]  # three letters or more: anywhere
    assert _names(find("l ba")) == ["Barbara Liskov"]  # the other short words: anywhere
    assert _names(find("l zz")) == []
    assert _names(find("l bletchley")) == ["Alan Turing"]  # with a long word: all anywhere
    first = find("l", limit="1")
    assert _names(first) == ["Barbara Liskov"] and first["count"] == 2
    rest = find("l", limit="1", cursor=first["next_cursor"])
    assert _names(rest) == ["Ada Lovelace"] and rest["next_cursor"] is None
    for odd in ("%", "_", "\\", "é", "ÿ"):
        assert find(odd)["data"] == []  # literal, and past the last letter too


def test_list_never_shows_another_workspace(server: Server, ws: TestWorkspace) -> None:
    _arrange(server, ws)
    other = make_workspace(server.sessionmaker, server.url)
    try:
        add_customer(server.sessionmaker, other.id, "Ada Lovelace Elsewhere")
        r = other.client("dispatcher").get("/api/v1/customers", params={"q": "lovelace"})
        assert _names(r.json()) == ["Ada Lovelace Elsewhere"]
        assert r.json()["count"] == 1
    finally:
        other.close()


def test_portal_status_filter(server: Server, ws: TestWorkspace) -> None:
    ids = _arrange(server, ws)
    f = server.sessionmaker
    c = ws.client("dispatcher")
    with f() as s:
        ada = s.scalar(select(Contact).where(Contact.customer_id == ids["ada"]))
        alan = s.scalar(select(Contact).where(Contact.customer_id == ids["alan"]))
        assert ada and alan
    activate(f, ada.id, locked_until=utcnow() + timedelta(minutes=10), failed_attempts=5)
    r = c.post(f"/api/v1/contacts/{alan.id}/portal-invite")
    assert r.status_code == 201, r.text

    def status(s: str) -> list[str]:
        r = c.get("/api/v1/customers", params={"portal_status": s})
        assert r.status_code == 200, r.text
        return _names(r.json())

    assert status("locked") == ["Ada Lovelace"]
    assert status("active") == []
    assert status("invited") == ["Alan Turing"]
    assert status("not_invited") == ["Edsger Dijkstra", "Grace Hopper", "Barbara Liskov"]
    rows = c.get("/api/v1/customers", params={"q": "turing"}).json()["data"]
    assert rows[0]["portal_status"] == "invited" and rows[0]["invite_expires_at"]
    # An invite past its expiry is shown as expired without anyone touching the row.
    with f() as s:
        from server.db.models import Customer, Invite

        s.execute(Invite.__table__.update().values(expires_at=utcnow() - timedelta(seconds=1)))
        cust = s.get(Customer, ids["alan"])
        assert cust
        cust.access_invite_expires_at = utcnow() - timedelta(seconds=1)
        s.commit()
    assert status("invite_expired") == ["Alan Turing"]
    assert status("invited") == []


def test_list_bad_inputs(server: Server, ws: TestWorkspace) -> None:
    c = ws.client("dispatcher")
    r = c.get("/api/v1/customers", params={"cursor": "not-a-cursor"})
    assert r.status_code == 422 and "cursor" in r.json()["errors"]
    r = c.get("/api/v1/customers", params={"portal_status": "sleeping"})
    assert r.status_code == 422 and "portal_status" in r.json()["errors"]
    r = c.get("/api/v1/customers", params={"limit": 501})
    assert r.status_code == 422 and "limit" in r.json()["errors"]


def test_view_customers_permission(server: Server, ws: TestWorkspace) -> None:
    set_role_permissions(server.sessionmaker, ws.id, "dispatcher", ["invite"])
    r = ws.client("dispatcher").get("/api/v1/customers")
    assert r.status_code == 403
    assert "view customers" in r.json()["detail"]


def test_customer_detail(server: Server, ws: TestWorkspace) -> None:
    f = server.sessionmaker
    made = add_customer(
        f,
        ws.id,
        "Hedy Lamarr",
        [("Hedy Lamarr", "hedy@example.com", None), ("Bookkeeper", "books@", None)],
        address=("1 Frequency Lane", "Vienna", "1010"),
    )
    c = ws.client("dispatcher")
    assert c.post(f"/api/v1/contacts/{made.contact_ids[0]}/portal-invite").status_code == 201
    r = c.get(f"/api/v1/customers/{made.customer_id}")
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["name"] == "Hedy Lamarr" and body["portal_status"] == "invited"
    assert body["addresses"][0]["one_line"] == "1 Frequency Lane, Vienna, 1010"
    first, second = body["contacts"]
    acct = first["portal_account"]
    assert acct["status"] == "invited" and acct["portal_status"] == "invited"
    assert acct["invite"]["expired"] is False and acct["invite"]["sent_by"] == "Dispatcher"
    assert acct["invite"]["email_status"] == "pending"
    assert acct["last_action"]["action"] == "invite_sent"
    assert acct["last_action"]["by"] == "Dispatcher"
    assert acct["failed_attempts"] == 0 and acct["locked"] is False
    assert second["portal_account"] is None
    assert second["email_problem"]


def test_unknown_and_foreign_customer_are_the_same_404(server: Server, ws: TestWorkspace) -> None:
    other = make_workspace(server.sessionmaker, server.url)
    try:
        foreign = add_customer(server.sessionmaker, other.id, "Someone Else").customer_id
    finally:
        other.close()
    c = ws.client("owner")
    a = c.get(f"/api/v1/customers/{foreign}")
    b = c.get("/api/v1/customers/999999999")
    assert a.status_code == b.status_code == 404
    assert a.json()["detail"] == b.json()["detail"]
    assert c.get(f"/api/v1/customers/{foreign}/audit").status_code == 404


def test_patch_contact(server: Server, ws: TestWorkspace) -> None:
    f = server.sessionmaker
    made = add_customer(f, ws.id, "Katherine Johnson", [("Kate", "kj@exmple", None)])
    other = add_customer(f, ws.id, "Dorothy Vaughan", [("Dorothy", "dv@example.com", None)])
    cid = made.contact_ids[0]
    c = ws.client("dispatcher")
    r = c.get(f"/api/v1/contacts/{cid}")
    etag = r.headers["etag"]
    assert r.json()["email_problem"]

    r = c.patch(f"/api/v1/contacts/{cid}", json={"email": "kj@example.com"})
    assert r.status_code == 428, r.text
    r = c.patch(
        f"/api/v1/contacts/{cid}", json={"email": "kj@example.com"}, headers={"If-Match": '"99"'}
    )
    assert r.status_code == 412
    r = c.patch(
        f"/api/v1/contacts/{cid}", json={"email": "not an email"}, headers={"If-Match": etag}
    )
    assert r.status_code == 422 and r.json()["errors"]["email"]
    r = c.patch(f"/api/v1/contacts/{cid}", json={"is_primary": False}, headers={"If-Match": etag})
    assert r.status_code == 422 and "is_primary" in r.json()["errors"]

    r = c.patch(
        f"/api/v1/contacts/{cid}",
        json={"email": "  KJ@Example.COM ", "name": "Katherine"},
        headers={"If-Match": etag},
    )
    assert r.status_code == 200, r.text
    assert r.json()["email"] == "kj@example.com" and r.json()["name"] == "Katherine"
    assert r.json()["email_problem"] is None
    assert r.headers["etag"] != etag
    # The old ETag is now stale.
    r2 = c.patch(f"/api/v1/contacts/{cid}", json={"name": "K"}, headers={"If-Match": etag})
    assert r2.status_code == 412
    found = c.get("/api/v1/customers", params={"q": "kj@example.com"}).json()
    assert [row["name"] for row in found["data"]] == ["Katherine Johnson"]

    # An address already used by another portal account is refused.
    activate(f, other.contact_ids[0])
    activate(f, cid)
    etag = c.get(f"/api/v1/contacts/{cid}").headers["etag"]
    r = c.patch(
        f"/api/v1/contacts/{cid}", json={"email": "dv@example.com"}, headers={"If-Match": etag}
    )
    assert r.status_code == 409 and "already used" in r.json()["detail"]
    r = c.patch(f"/api/v1/contacts/{cid}", json={"email": None}, headers={"If-Match": etag})
    assert r.status_code == 422
    with f() as s:
        contact = s.get(Contact, cid)
        assert contact and contact.email == "kj@example.com"
        account = s.scalar(select(PortalAccount).where(PortalAccount.contact_id == cid))
        assert account and account.email_normalized == "kj@example.com"
        events = s.scalars(select(AuditEvent.action).where(AuditEvent.contact_id == cid)).all()
        assert events.count("contact.updated") == 1


def test_patch_contact_permission_and_foreign_id(server: Server, ws: TestWorkspace) -> None:
    other = make_workspace(server.sessionmaker, server.url)
    try:
        foreign = add_customer(server.sessionmaker, other.id, "Far Away").contact_ids[0]
    finally:
        other.close()
    c = ws.client("dispatcher")
    a = c.patch(f"/api/v1/contacts/{foreign}", json={"name": "x"}, headers={"If-Match": '"1"'})
    b = c.patch("/api/v1/contacts/999999999", json={"name": "x"}, headers={"If-Match": '"1"'})
    assert a.status_code == b.status_code == 404 and a.json()["detail"] == b.json()["detail"]
    set_role_permissions(server.sessionmaker, ws.id, "dispatcher", ["view_customers"])
    mine = add_customer(server.sessionmaker, ws.id, "Mine Here").contact_ids[0]
    r = c.patch(f"/api/v1/contacts/{mine}", json={"name": "x"}, headers={"If-Match": '"1"'})
    assert r.status_code == 403 and "edit contacts" in r.json()["detail"]
