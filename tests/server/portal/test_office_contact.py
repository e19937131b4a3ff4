"""The office's contact details appear once per page: in a panel where the page is about
reaching the office (coming soon, dead links, errors), otherwise in the footer."""

from __future__ import annotations

from tests.server.conftest import Server
from tests.server.portal.fixtures import Browser, PortalCustomer, make_customer
from tests.support.workspaces import TestWorkspace, make_workspace

BRANDING = {
    "brand_name": "Canal Plumbing",
    "phone": "+1 555 0177",
    "email": "desk@canal.example",
    "address": "9 Lock Street, Millford",
    "hours": "Mon to Fri, 8 AM to 5 PM",
    "website": "https://canal.example",
}
DETAILS = ("+1 555 0177", "desk@canal.example", "9 Lock Street, Millford", "Mon to Fri, 8 AM")


def _brand(server: Server, ws_id: int, branding: dict[str, str]) -> None:
    from server.db.models import Workspace

    with server.sessionmaker() as db:
        workspace = db.get(Workspace, ws_id)
        assert workspace is not None
        workspace.branding = branding
        db.commit()


def _each_once(text: str) -> None:
    for detail in DETAILS:
        # The phone number is also in the tel: link, without spaces, so count the text.
        assert text.count(f">{detail}") + text.count(f": {detail}") == 1, detail
    assert text.count("Contact Canal Plumbing") == 1


def test_coming_soon_shows_the_contact_details_once(server: Server) -> None:
    closed = make_workspace(server.sessionmaker, server.url, portal_status="coming_soon")
    _brand(server, closed.id, BRANDING)
    b = Browser(server.url, closed.slug)
    try:
        page = b.get("/")
        assert page.status_code == 200 and "coming soon" in page.text
        _each_once(page.text)
        # In the panel, next to the message; the page has no footer repeating it.
        assert 'class="panel"' in page.text and "<footer" not in page.text
        assert 'href="tel:+15550177"' in page.text and "https://canal.example" in page.text
    finally:
        b.close()
        closed.close()


def test_dead_link_page_shows_them_once_and_sign_in_keeps_the_footer(
    server: Server, ws: TestWorkspace, browser: Browser
) -> None:
    _brand(server, ws.id, BRANDING)
    gone = browser.get(f"/reset/{'x' * 43}")
    assert gone.status_code == 410
    _each_once(gone.text)
    assert 'class="panel"' in gone.text
    sign_in = browser.get("/sign-in")
    _each_once(sign_in.text)
    assert 'class="panel"' not in sign_in.text and 'id="contact-heading"' in sign_in.text


def test_signed_in_pages_keep_contact_and_account_in_the_footer(
    server: Server, ws: TestWorkspace, browser: Browser, customer: PortalCustomer
) -> None:
    _brand(server, ws.id, BRANDING)
    assert browser.sign_in(customer.email).status_code == 303
    home = browser.get("/")
    _each_once(home.text)
    assert 'id="contact-heading"' in home.text and 'id="account-heading"' in home.text


def test_without_details_the_panel_says_to_contact_the_usual_way(server: Server) -> None:
    closed = make_workspace(server.sessionmaker, server.url, portal_status="coming_soon")
    _brand(server, closed.id, {"brand_name": "Canal Plumbing"})
    make_customer(server.sessionmaker, closed.id, closed.slug, records=False)
    b = Browser(server.url, closed.slug)
    try:
        page = b.get("/sign-in")
        assert "Please contact Canal Plumbing the way you usually do." in page.text
        assert page.text.count("Contact Canal Plumbing") == 1
    finally:
        b.close()
        closed.close()
