"""The customer list for very common words: the count stops at a cap, pages walk the names.

The cap and the walk's window are made small here, so a handful of customers behaves as
thousands would at 100,000.
"""

from __future__ import annotations

import httpx
import pytest

from server.domain import customer_search, customers
from tests.server.conftest import Server
from tests.support.customers import add_customer
from tests.support.workspaces import TestWorkspace

# Surnames in name order; "Harbour" customers are spread through the alphabet, the "Zed
# Quay" ones all sort last (a word whose matches cluster where a walk reaches them late).
SPREAD = ["Abbott", "Baker", "Carter", "Dalton", "Evans", "Fischer", "Garcia", "Hughes"]
CLUSTER = ["Zander", "Zeller", "Zimmer", "Zoller", "Zuber"]


@pytest.fixture
def crowd(server: Server, ws: TestWorkspace, monkeypatch: pytest.MonkeyPatch) -> httpx.Client:
    f = server.sessionmaker
    for i, surname in enumerate(SPREAD):
        add_customer(f, ws.id, f"Robin {surname}", address=(f"{i} Harbour Road", "Kingsport", "1"))
        add_customer(f, ws.id, f"Sam {surname}", address=(f"{i} Mill Lane", "Elmford", "2"))
    for i, surname in enumerate(CLUSTER):
        add_customer(f, ws.id, f"Alex {surname}", address=(f"{i} Zed Quay", "Elmford", "3"))
    monkeypatch.setattr(customer_search, "COUNT_CAP", 3)
    monkeypatch.setattr(customers, "WALK_ROWS_PER_ROW", 2)
    monkeypatch.setattr(customers, "PROBE_ROWS_PER_ROW", 1)
    return ws.client("dispatcher")


def _every_page(c: httpx.Client, **params: str) -> tuple[list[str], list[dict]]:
    names: list[str] = []
    bodies: list[dict] = []
    cursor = None
    while True:
        page = params | ({"cursor": cursor} if cursor else {})
        r = c.get("/api/v1/customers", params=page)
        assert r.status_code == 200, r.text
        bodies.append(r.json())
        names += [row["name"] for row in r.json()["data"]]
        cursor = r.json()["next_cursor"]
        if cursor is None:
            return names, bodies


def test_a_common_word_is_counted_to_the_cap_and_paged_in_name_order(crowd: httpx.Client) -> None:
    names, bodies = _every_page(crowd, q="harbour road", limit="2")
    assert names == [f"Robin {s}" for s in SPREAD]
    assert all(b["count"] == 3 and b["count_capped"] for b in bodies)
    assert len(bodies) == 4


def test_a_common_word_whose_matches_cluster_late_is_still_found(crowd: httpx.Client) -> None:
    names, bodies = _every_page(crowd, q="zed quay", limit="2")
    assert names == [f"Alex {s}" for s in CLUSTER]
    assert bodies[0]["count"] == 3 and bodies[0]["count_capped"]


def test_a_long_word_is_found_whole_not_by_its_first_letters(crowd: httpx.Client) -> None:
    # The index looks up "kingspor"; the whole word filters what it found.
    assert _every_page(crowd, q="kingsporty")[0] == []
    assert _every_page(crowd, q="harbour kingsport", limit="50")[0] == [
        f"Robin {s}" for s in SPREAD
    ]


def test_fewer_matches_than_the_cap_are_counted_exactly(crowd: httpx.Client) -> None:
    r = crowd.get("/api/v1/customers", params={"q": "fischer"})
    assert r.json()["count"] == 2 and r.json()["count_capped"] is False
    assert [row["name"] for row in r.json()["data"]] == ["Robin Fischer", "Sam Fischer"]


def test_the_whole_list_is_counted_exactly(crowd: httpx.Client) -> None:
    r = crowd.get("/api/v1/customers", params={"limit": "2"})
    total = 2 * len(SPREAD) + len(CLUSTER)
    assert r.json()["count"] == total and r.json()["count_capped"] is False


def test_a_status_filter_is_counted_to_the_cap(crowd: httpx.Client) -> None:
    names, bodies = _every_page(crowd, portal_status="not_invited", limit="5")
    assert len(names) == 2 * len(SPREAD) + len(CLUSTER)
    assert bodies[0]["count"] == 3 and bodies[0]["count_capped"]


def test_a_word_in_most_rows_is_counted_in_name_order(
    crowd: httpx.Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The first rows in name order hold a page of it (PostgreSQL then counts there too).
    monkeypatch.setattr(customers, "PROBE_ROWS_PER_ROW", 10)
    names, bodies = _every_page(crowd, q="elmford", limit="2")
    expected = [f"Sam {s}" for s in SPREAD] + [f"Alex {s}" for s in CLUSTER]  # name order
    assert names == expected
    assert all(b["count"] == 3 and b["count_capped"] for b in bodies)
    few = crowd.get("/api/v1/customers", params={"q": "elmford", "limit": "50"}).json()
    assert len(few["data"]) == len(expected) and few["count_capped"]
