"""The ``data`` of a change, made ready for JSON by the database itself.

At 100k customers the feed spent most of its time turning stored values into JSON values
in Python (timestamps above all). Here each entity's compact form
(``changes_compact.COMPACT``) becomes SQL that yields values exactly as pydantic/orjson write
them: timestamps as ``YYYY-MM-DDTHH:MM:SS[.ffffff]Z`` text in UTC, the customer's shown
portal status by the list's own rule. On SQLite the whole record comes out as JSON text
(``json_object`` is cheaper there than building a dict per row); on PostgreSQL, whose
``json_build_object`` is slower than reading plain columns through psycopg, as columns.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, ColumnElement, Text, case, func, literal_column, type_coerce
from sqlalchemy.sql.elements import BindParameter, Label

from server.db.base import UtcDateTime
from server.db.models import Customer
from server.domain.changes_compact import COMPACT
from server.domain.customer_summary import ROW_FIELDS
from server.domain.customers import status_condition

# The customer's data is a CustomerRow: some fields are named apart from their columns.
_CUSTOMER_KEYS = dict(ROW_FIELDS)

Now = datetime | BindParameter[datetime]


def _const(value: str) -> ColumnElement[str]:
    """A SQL string constant; only this module's own keys and formats come here."""
    assert "'" not in value
    return literal_column(f"'{value}'", Text)


def _timestamp(col: Any, dialect: str) -> ColumnElement[str]:
    """A UTC timestamp as orjson writes it: microseconds only when there are some."""
    if dialect == "sqlite":
        # Stored as 'YYYY-MM-DD HH:MM:SS.ffffff' (SQLAlchemy's SQLite format, always UTC).
        text = type_coerce(col, Text) + _const("Z")
    else:
        utc = func.timezone(_const("UTC"), col)
        text = func.to_char(utc, _const('YYYY-MM-DD HH24:MI:SS.US"Z"'))
    # Two replaces are the cheapest way there: ".000000Z" -> "Z", the space -> "T".
    done = func.replace(
        func.replace(text, _const(".000000Z"), _const("Z")), _const(" "), _const("T")
    )
    return type_coerce(done, Text)


def _portal_status(now: Now) -> ColumnElement[str]:
    """The shown portal status, by the rule the customer list filters on."""
    return case(
        (status_condition("locked", now), _const("locked")),
        (status_condition("invite_expired", now), _const("invite_expired")),
        else_=Customer.access_status,
    )


def data_columns(entity: str, dialect: str, now: Now) -> list[tuple[str, ColumnElement[Any]]]:
    """``(key, SQL value)`` for each field of an ``entity`` record's ``data``; ``id`` first."""
    _model, cols = COMPACT[entity]
    out: list[tuple[str, ColumnElement[Any]]] = []
    for col in cols:
        column = col.element if isinstance(col, Label) else col
        key = str(col.key)
        if entity == "customer":
            key = _CUSTOMER_KEYS.get(key, key)
        value: ColumnElement[Any] = column
        if entity == "customer" and key == "portal_status":
            value = _portal_status(now)
        elif isinstance(column.type, UtcDateTime):
            value = _timestamp(column, dialect)
        out.append((key, value))
    return out


def data_json(entity: str, now: Now) -> ColumnElement[str]:
    """SQLite: one ``entity`` record's ``data`` as JSON text."""
    args: list[Any] = []
    for key, value in data_columns(entity, "sqlite", now):
        if isinstance(value.type, Boolean):
            # SQLite keeps booleans as 0/1; json('true') embeds a JSON true, not the text.
            value = case(
                (value.is_(None), None), (value, func.json("true")), else_=func.json("false")
            )
        elif isinstance(value.type, JSON):
            # A JSON document column (a follow-up's details) goes in as JSON, not as text.
            value = func.json(value)
        args += [_const(key), value]
    return type_coerce(func.json_object(*args), Text)
