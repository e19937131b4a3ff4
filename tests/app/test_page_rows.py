"""A feed page read from the server's bytes gives the rows the decoded page gives."""

import subprocess
import sys

import orjson
import pytest

from app.cache import COLUMNS, Cache, page_json, page_rows


def customer(i: int, **fields) -> dict:
    data = {c: None for c in COLUMNS}
    data.update(
        id=i,
        name=f"Customer {i}",
        kind="household",
        portal_status="not_invited",
        version=1,
        updated_at="2026-01-01T00:00:00Z",
    )
    data.update(fields)
    return data


def follow_up(i: int) -> dict:
    return {"id": i, "kind": "quote", "state": "open", "title": f"Quote {i}",
            "customer_name": "Ann", "happened_at": "2026-03-01T10:00:00Z"}  # fmt: skip


def change(seq, entity, rid, data, op="upsert"):
    item = {"seq": seq, "entity": entity, "id": rid, "op": op}
    if data is not ...:
        item["data"] = data
    return item


PAGE = {
    "data": [
        change(1, "customer", 1, customer(1, phone="555 0100", primary_contact_id=4)),
        change(2, "customer", 2, customer(2, name='Zoë Ørsted & Söhne "Ltd"')),
        change(3, "customer", 3, ..., op="delete"),
        change(4, "contact", 4, {"id": 4, "name": "Ann", "tags": ["a", {"b": None}]}),
        change(5, "job", 9, {"id": 9, "title": "Boiler {service}", "total": 120.5}),
        change(6, "job", 10, None),  # an upsert whose record is gone reads as a delete
        change(7, "invoice", 11, ..., op="delete"),
        change(8, "follow_up", 12, follow_up(12)),
        change(9, "follow_up", 13, None, op="delete"),
    ],
    "count": 9,
    "next_cursor": "9",
    "has_more": True,
}


def test_the_servers_bytes_give_the_rows_of_the_decoded_page():
    from_bytes = page_json.from_json(orjson.dumps(PAGE))
    decoded = page_rows.from_page(PAGE)
    assert from_bytes.upserts == decoded.upserts
    assert from_bytes.upserts[1][COLUMNS.index("name")] == 'Zoë Ørsted & Söhne "Ltd"'
    assert from_bytes.deletes == decoded.deletes == [(3,)]
    assert from_bytes.record_deletes == decoded.record_deletes == [
        ("job", 10), ("invoice", 11), ("follow_up", 13)]  # fmt: skip
    assert [(e, i, orjson.loads(bytes(d))) for e, i, d in from_bytes.record_upserts] == [
        (e, i, orjson.loads(d)) for e, i, d in decoded.record_upserts
    ]
    assert from_bytes.inbox == decoded.inbox == [follow_up(12)]
    assert from_bytes.inbox_gone == decoded.inbox_gone == [13]
    assert from_bytes.customer_ids == decoded.customer_ids == {1, 2, 3}
    assert from_bytes.records == decoded.records == {
        "contact": {4}, "job": {9, 10}, "invoice": {11}, "follow_up": {12, 13}}  # fmt: skip
    assert (from_bytes.next_cursor, from_bytes.has_more, from_bytes.count) == ("9", True, 9)


def test_a_record_is_stored_as_the_json_the_server_sent(tmp_path):
    body = (
        b'{"data":[{"seq":1,"entity":"job","id":9,"op":"upsert",'
        b'"data":{"id":9,"title":"Caf\\u00e9 {boiler}","lines":[1,2]}}],'
        b'"count":1,"next_cursor":"1","has_more":false}'
    )
    cache = Cache(tmp_path / "c.sqlite3")
    try:
        cache.write_json(body, "0")
        assert cache.get_record("job", 9) == {"id": 9, "title": "Café {boiler}", "lines": [1, 2]}
        stored = cache._reader.execute("SELECT data FROM record").fetchone()[0]
        assert stored == b'{"id":9,"title":"Caf\\u00e9 {boiler}","lines":[1,2]}'
    finally:
        cache.close()


@pytest.mark.parametrize(
    ("body", "says"),
    [
        # A record whose JSON is broken deep inside fails the page, though it is not decoded.
        (b'{"data":[{"entity":"job","id":1,"op":"upsert","data":{"a":[1,}}],"next_cursor":"1"}',
         "not readable JSON"),
        (b'{"data":[{"entity":"job","id":"x","op":"upsert","data":{}}],"next_cursor":"1"}',
         "another shape"),
        (b'{"data":[],"count":0}', "next_cursor"),
    ],
)  # fmt: skip
def test_a_page_that_is_not_one_fails_in_plain_words(body, says):
    with pytest.raises(ValueError, match=says):
        page_json.from_json(body)


def test_a_renamed_customer_field_fails_the_page_and_writes_nothing(tmp_path):
    renamed = customer(1)
    renamed["email"] = renamed.pop("primary_email")
    page = {"data": [change(1, "customer", 1, renamed)], "count": 1, "next_cursor": "1"}
    cache = Cache(tmp_path / "c.sqlite3")
    try:
        with pytest.raises(ValueError, match="primary_email"):
            cache.write_json(orjson.dumps(page), "0")
        assert cache.customer_count() == 0 and cache.cursor == "0"
    finally:
        cache.close()


def test_the_console_side_of_the_cache_does_not_import_msgspec():
    # Only the writer reads pages from bytes; the console's start does not pay for msgspec.
    code = "import sys, app.cache, app.sync; print('msgspec' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
