"""The console speaks the server's contract: wire models, portal-status rule, permission names."""

import ast
import importlib
import importlib.util
import inspect
from datetime import UTC, datetime, timedelta

import pytest

import app.cache.rows as rows_module
from app import access, portal_status
from app.cache.rows import COLUMNS, NUMBERS, OPTIONAL, CachedCustomer, row_from_wire
from server.domain import permissions as domain_permissions
from server.wire.customer_columns import CUSTOMER_ROW_COLUMNS, Column, columns_of
from server.wire.customers import PORTAL_STATUSES, CustomerRow
from server.wire.permissions import Permission
from server.wire.portal_status import shown_status


def test_permission_names_are_the_wires():
    assert domain_permissions.Permission is Permission
    assert all(isinstance(p, Permission) for p in access.PERMISSIONS.values())
    for role, perms in domain_permissions.DEFAULT_PERMISSIONS.items():
        assert perms <= set(Permission), role


def test_cached_columns_are_the_wire_rows_fields():
    assert tuple(CustomerRow.model_fields) == COLUMNS
    assert columns_of(CustomerRow) == CUSTOMER_ROW_COLUMNS
    assert CachedCustomer._fields == COLUMNS
    assert set(NUMBERS) == {"id", "primary_contact_id", "version"}
    assert "name" not in OPTIONAL and "primary_email" in OPTIONAL


@pytest.mark.parametrize(
    "change",
    [
        "    email: str | None\n",  # renamed (primary_email is gone below)
        "    primary_email: str\n",  # no longer optional
        "    primary_email: int | None\n",  # now a number
    ],
)
def test_a_wire_row_that_disagrees_with_the_column_list_stops_the_server(tmp_path, change):
    # customers.py checks its model against the pydantic-free list the cache is built from.
    source = inspect.getsource(importlib.import_module("server.wire.customers"))
    changed = source.replace("    primary_email: str | None\n", change, 1)
    assert changed != source
    module = tmp_path / "changed_customers.py"
    module.write_text(changed)
    spec = importlib.util.spec_from_file_location("changed_customers", module)
    assert spec is not None and spec.loader is not None
    with pytest.raises(TypeError, match="disagree"):
        spec.loader.exec_module(importlib.util.module_from_spec(spec))


def test_the_column_list_names_each_kind_of_column():
    assert Column("id", number=True) in CUSTOMER_ROW_COLUMNS
    assert Column("primary_email", optional=True) in CUSTOMER_ROW_COLUMNS
    assert Column("updated_at") in CUSTOMER_ROW_COLUMNS


def test_the_type_checkers_view_of_a_cached_row_matches_the_wire():
    # The row class the type checker sees is written out; it must name the wire's fields.
    tree = ast.parse(inspect.getsource(rows_module))
    stub = next(
        n for n in ast.walk(tree) if isinstance(n, ast.ClassDef) and n.name == "CachedCustomer"
    )
    fields = tuple(s.target.id for s in stub.body if isinstance(s, ast.AnnAssign))
    assert fields == COLUMNS


def test_a_renamed_field_fails_instead_of_reading_as_null():
    data = {c: None for c in COLUMNS}
    data.update(id=1, name="A", kind="household", portal_status="active", version=1)
    data["updated_at"] = "2026-01-01T00:00:00Z"
    assert row_from_wire(data)[0] == 1
    data["email"] = data.pop("primary_email")
    with pytest.raises(KeyError, match="primary_email"):
        row_from_wire(data)


def test_every_wire_status_has_a_label_and_a_code():
    assert set(portal_status.STATUS_LABELS) == set(PORTAL_STATUSES)
    assert portal_status.STATUS_BY_CODE == PORTAL_STATUSES


@pytest.mark.parametrize("stored", ["invited", "active", "disabled"])
def test_the_console_applies_the_servers_status_rule(stored):
    now = datetime(2026, 5, 1, tzinfo=UTC)
    for offset in (-1, 1):
        moment = now + timedelta(hours=offset)
        server_says = shown_status(stored, moment, moment, now)

        class Row:
            portal_status = server_says  # as the row came from the server...
            invite_expires_at = moment.isoformat()
            locked_until = moment.isoformat()

        later = now + timedelta(hours=2)  # ...and as time moved on since
        assert portal_status.effective_status(Row(), now) == server_says
        assert portal_status.effective_status(Row(), later) == shown_status(
            stored, moment, moment, later
        )
