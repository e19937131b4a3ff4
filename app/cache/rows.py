"""The cached customer row: the fields of ``server.wire.customers.CustomerRow`` as a tuple.

The columns come from the wire (``server.wire.customer_columns``, which the model is checked
against when it is defined; read without pydantic, at the console's start), so a field the
server adds, renames or drops changes the cache with it (a new schema fingerprint starts a
fresh cache) instead of reading back as NULL. Times stay ISO-8601 strings (cheap to load).
"""

from __future__ import annotations

import typing
import zlib
from collections import namedtuple
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from server.wire.customer_columns import CUSTOMER_ROW_COLUMNS

COLUMNS: tuple[str, ...] = tuple(c.name for c in CUSTOMER_ROW_COLUMNS)
# Integer columns and the ones that may be missing, as the wire declares them.
NUMBERS: tuple[str, ...] = tuple(c.name for c in CUSTOMER_ROW_COLUMNS if c.number)
OPTIONAL: frozenset[str] = frozenset(c.name for c in CUSTOMER_ROW_COLUMNS if c.optional)
# Changes whenever the wire's columns do: the cache schema is versioned by it.
FINGERPRINT: int = zlib.crc32(",".join(COLUMNS).encode()) & 0xFFFFFF

if TYPE_CHECKING:

    class CachedCustomer(typing.NamedTuple):
        """One customer line as the cache holds it (for the type checker; built below)."""

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

else:
    CachedCustomer = namedtuple("CachedCustomer", COLUMNS)
    CachedCustomer.__doc__ = "One customer line as the cache holds it (``CustomerRow``'s fields)."


def row_from_wire(data: Mapping[str, Any]) -> tuple[Any, ...]:
    """The column values of one ``CustomerRow`` JSON object, in ``COLUMNS`` order.

    A field the page lacks raises ``KeyError``: the page fails (and is retried) rather than
    storing NULL for a field the server renamed.
    """
    return tuple(data[c] for c in COLUMNS)
