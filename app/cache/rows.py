"""The cached customer row: the fields of ``server.wire.customers.CustomerRow`` as a tuple."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, NamedTuple


class CachedCustomer(NamedTuple):
    """One customer line as the cache holds it; times stay ISO-8601 strings (cheap to load)."""

    id: int
    external_id: str | None
    name: str
    kind: str
    phone: str | None
    address: str | None
    primary_contact_id: int | None
    primary_contact_name: str | None
    primary_email: str | None
    portal_status: str
    invite_expires_at: str | None
    locked_until: str | None
    last_sign_in_at: str | None
    version: int
    updated_at: str


COLUMNS: tuple[str, ...] = CachedCustomer._fields


def row_from_wire(data: Mapping[str, Any]) -> tuple[Any, ...]:
    """The column values of one ``CustomerRow`` JSON object, in ``COLUMNS`` order."""
    return tuple(map(data.get, COLUMNS))
