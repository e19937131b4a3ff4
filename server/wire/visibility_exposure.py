"""The exposure check: what publishing a visibility draft would change, for whom."""

from __future__ import annotations

from typing import Literal

from server.wire.base import Request, Response
from server.wire.visibility import VisibilityPolicy

RecordKind = Literal["job", "quote", "invoice", "document", "photo"]


class ExposureRequest(Request):
    """``POST /api/v1/visibility-policy/exposure``: check unsaved edits, or the saved draft."""

    policy: VisibilityPolicy | None = None


class AffectedRecord(Response):
    """One record a change applies to, with a contact to preview it as (None: no portal access
    on that customer yet) and its path under the portal's base."""

    kind: RecordKind
    id: int
    label: str
    customer_id: int
    customer_name: str
    contact_id: int | None
    portal_path: str


class ExposureChange(Response):
    """One switch whose effect changes: what it becomes and how many it reaches.

    ``switch`` is a name as in ``server.wire.visibility_text``; ``records`` counts the records
    it applies to (0 for request service), ``contacts`` the contacts with portal access who
    have such records (None for a switch that hides something: it hides it from everyone).
    ``samples`` lists some of those records.
    """

    switch: str
    title: str
    becomes: Literal["visible", "hidden", "changed"]
    sentence: str
    record_kind: RecordKind | None
    records: int
    contacts: int | None
    samples: list[AffectedRecord]


class ExposureReport(Response):
    """Every change publishing would make, and one plain-English summary of them."""

    summary: str
    changes: list[ExposureChange]
    version: int
    has_draft: bool
