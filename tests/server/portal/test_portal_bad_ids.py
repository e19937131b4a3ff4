"""Portal pages and downloads named by an id no row can have are "not found", never a 5xx,
for a signed-in customer (whose requests reach the database)."""

from __future__ import annotations

from tests.server.conftest import Server
from tests.server.portal.fixtures import Browser
from tests.server.test_bad_input_contract import HUGE_IDS, fill, id_routes


def test_ids_past_the_largest_row_id_on_every_portal_page(
    server: Server, signed_in: Browser
) -> None:
    routes = list(id_routes(server, "/p/"))
    assert len(routes) >= 8, routes
    bad: list[str] = []
    for method, template in routes:
        for huge in HUGE_IDS:
            url = fill(template, huge, signed_in.slug)
            rest = url.removeprefix(f"/p/{signed_in.slug}")
            if method == "GET":
                r = signed_in.get(rest)
            else:
                r = signed_in.post(rest, {}, form_page="/account/password")
            if r.status_code != 404:
                bad.append(f"{method} {url}: {r.status_code}")
    assert bad == []
    assert signed_in.get("/").status_code == 200, "the session and its connection still work"
