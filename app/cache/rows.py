"""The cached customer row: the fields of ``server.wire.customers.CustomerRow`` as a tuple.

The columns come from the wire model itself, so a field the server adds, renames or drops
changes the cache with it (a new schema fingerprint starts a fresh cache) instead of reading
back as NULL. Times stay ISO-8601 strings (cheap to load).
"""

from __future__ import annotations

import types
import typing
import zlib
from collections import namedtuple
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from server.wire.customers import CustomerRow

COLUMNS: tuple[str, ...] = tuple(CustomerRow.model_fields)


def _accepts(annotation: Any, kind: type) -> bool:
    args = typing.get_args(annotation) if isinstance(annotation, types.UnionType) else ()
    return annotation is kind or kind in args


# Integer columns and the ones that may be missing, as the wire model declares them.
NUMBERS: tuple[str, ...] = tuple(
    name for name, f in CustomerRow.model_fields.items() if _accepts(f.annotation, int)
)
OPTIONAL: frozenset[str] = frozenset(
    name for name, f in CustomerRow.model_fields.items() if not f.is_required() or
    _accepts(f.annotation, type(None))
)  # fmt: skip
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
