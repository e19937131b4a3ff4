"""Every page of a signed-in customer renders, with only visible data."""

from __future__ import annotations

from tests.server.portal.fixtures import Browser, PortalCustomer


def test_pages_render(signed_in: Browser, customer: PortalCustomer) -> None:
    ids = customer.ids
    for path in [
        "/",
        "/jobs",
        f"/jobs/{ids['job']}",
        "/quotes",
        f"/quotes/{ids['quote']}",
        "/invoices",
        f"/invoices/{ids['invoice']}",
        "/documents",
        "/request",
        "/account/password",
    ]:
        page = signed_in.get(path)
        assert page.status_code == 200, (path, page.text[:800])
        assert "SECRET-NOTE" not in page.text
        assert "PENDING" not in page.text
        assert "1,234.56" not in page.text
