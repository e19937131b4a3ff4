"""The customer row's columns without pydantic: the console's cache is built from them at start.

``server.wire.customers.CustomerRow`` declares the same fields and is checked against this list
when it is defined: a field renamed, added, dropped, moved, or changed between number, text
and optional in one place only stops the server and every test from importing, instead of
reaching the console's cache as NULL.
"""

from __future__ import annotations

import types
import typing
from typing import Any, NamedTuple


class Column(NamedTuple):
    """One field of a customer row as JSON carries it."""

    name: str
    number: bool = False  # an integer (the rest are text; times are ISO-8601 text)
    optional: bool = False  # may be null


CUSTOMER_ROW_COLUMNS: tuple[Column, ...] = (
    Column("id", number=True),
    Column("external_id", optional=True),
    Column("name"),
    Column("kind"),
    Column("phone", optional=True),
    Column("address", optional=True),
    Column("primary_contact_id", number=True, optional=True),
    Column("primary_contact_name", optional=True),
    Column("primary_email", optional=True),
    Column("portal_status"),
    Column("invite_expires_at", optional=True),
    Column("locked_until", optional=True),
    Column("last_sign_in_at", optional=True),
    Column("version", number=True),
    Column("updated_at"),
)


def _accepts(annotation: Any, kind: type) -> bool:
    args = typing.get_args(annotation) if isinstance(annotation, types.UnionType) else ()
    return annotation is kind or kind in args


def columns_of(model: Any) -> tuple[Column, ...]:
    """The columns a pydantic model's fields make, in order (read off ``model_fields``)."""
    return tuple(
        Column(
            name,
            number=_accepts(f.annotation, int),
            optional=not f.is_required() or _accepts(f.annotation, type(None)),
        )
        for name, f in model.model_fields.items()
    )
