"""The switches of a visibility policy whose effect changes between two policies, each with
the records it applies to (a condition on one kind of record) and its sentence for the
exposure check (``server.domain.exposure`` counts them).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement

from server.db.models import Document, Invoice, Job, Photo, Quote
from server.wire.visibility import ACTIONS, FIELDS, JOB_STATUSES, SECTIONS, VisibilityPolicy
from server.wire.visibility_text import switch_title

KIND_OF_SECTION = {
    "jobs": "job",
    "quotes": "quote",
    "invoices": "invoice",
    "documents": "document",
    "photos": "photo",
}
PLURAL = {"job": "jobs", "quote": "quotes", "invoice": "invoices", "document": "documents"}
PLURAL["photo"] = "photos"
MODEL: dict[str, Any] = {
    "job": Job,
    "quote": Quote,
    "invoice": Invoice,
    "document": Document,
    "photo": Photo,
}


# Records a field switch matters on: those that have the field filled in.
_FIELD_FILTER: dict[str, Callable[[], ColumnElement[bool]]] = {
    "jobs.description": lambda: Job.description.is_not(None),
    "jobs.scheduled_time": lambda: Job.scheduled_start.is_not(None),
    "jobs.address": lambda: Job.address_id.is_not(None),
    "jobs.technician_name": lambda: Job.technician_name.is_not(None),
    "jobs.internal_notes": lambda: Job.internal_notes.is_not(None),
    "jobs.completed_at": lambda: Job.completed_at.is_not(None),
    "quotes.notes": lambda: Quote.notes.is_not(None),
    "quotes.expires_at": lambda: Quote.expires_at.is_not(None),
    "invoices.due_at": lambda: Invoice.due_at.is_not(None),
    "documents.job_link": lambda: Document.job_id.is_not(None),
    "photos.caption": lambda: Photo.caption.is_not(None),
    "photos.taken_at": lambda: Photo.taken_at.is_not(None),
    "photos.job_link": lambda: Photo.job_id.is_not(None),
    "action.approve_quotes": lambda: Quote.status == "pending",
    "action.pay_invoices": lambda: Invoice.balance_cents > 0,
}


@dataclass
class Switch:
    """One switch whose effect changes, before its records are counted."""

    name: str
    kind: str | None  # the records it applies to; None: every contact (request service)
    becomes: str  # "visible", "hidden" or "changed"
    condition: ColumnElement[bool] | None
    sentence: Callable[[int, int], str]
    # Names the condition: switches with the same key count the same records, so each kind's
    # statements compute it once (twelve switches on "every quote" are one column, not twelve).
    key: str = "all"


def changed_switches(before: VisibilityPolicy, after: VisibilityPolicy) -> list[Switch]:
    """The switches whose effect differs between two policies, in the editor's order."""
    out: list[Switch] = []
    for section in SECTIONS:
        kind = KIND_OF_SECTION[section]
        was, now = before.shows(section), after.shows(section)
        if was != now:
            out.append(_visibility(f"section.{section}", kind, now, None))
            continue
        for field in FIELDS[section]:
            was, now = before.shows(section, field), after.shows(section, field)
            if was != now:
                name = f"{section}.{field}"
                filt = _FIELD_FILTER.get(name)
                switch = _visibility(name, kind, now, filt() if filt else None)
                switch.key = name if filt else "all"
                out.append(switch)
    for action in ACTIONS:
        if before.allows(action) != after.allows(action):
            switch = _action(action, after.allows(action))
            switch.key = switch.name if switch.condition is not None else "all"
            out.append(switch)
    for status in JOB_STATUSES:
        old, new = before.label(status), after.label(status)
        if old != new and after.shows("jobs", "status"):
            out.append(_label(status, old, new))
    return out


def _many(n: int, one: str, many: str) -> str:
    """``1 quote``, ``2 quotes``."""
    return f"{n:,} {one if n == 1 else many}"


def _contacts(n: int) -> str:
    return _many(n, "contact", "contacts")


def _visibility(name: str, kind: str, shown: bool, condition: ColumnElement[bool] | None) -> Switch:
    what = switch_title(name).lower()
    plural = PLURAL[kind]
    one = kind
    if shown:
        return Switch(
            name,
            kind,
            "visible",
            condition,
            lambda n, c: f"shows {what} on {_many(n, one, plural)} for {_contacts(c)}",
        )
    return Switch(
        name,
        kind,
        "hidden",
        condition,
        lambda n, c: f"hides {what} for everyone ({_many(n, one, plural)})",
    )


def _action(action: str, on: bool) -> Switch:
    what = switch_title(f"action.{action}").lower()
    name = f"action.{action}"
    kind = {"approve_quotes": "quote", "pay_invoices": "invoice"}.get(action)
    filt = _FIELD_FILTER.get(name)
    condition = filt() if filt else None
    if kind is None:
        if on:
            return Switch(name, None, "visible", None, lambda n, c: f"lets {_contacts(c)} {what}")
        return Switch(name, None, "hidden", None, lambda n, c: f"stops everyone: {what}")
    one, plural = {
        "quote": ("pending quote", "pending quotes"),
        "invoice": ("unpaid invoice", "unpaid invoices"),
    }[kind]
    if on:
        return Switch(
            name,
            kind,
            "visible",
            condition,
            lambda n, c: f"lets customers {what} ({_many(n, one, plural)}, {_contacts(c)})",
        )
    return Switch(
        name,
        kind,
        "hidden",
        condition,
        lambda n, c: f"stops customers from being able to {what} ({_many(n, one, plural)})",
    )


def _label(status: str, old: str, new: str) -> Switch:
    return Switch(
        f"status.{status}",
        "job",
        "changed",
        Job.internal_status == status,
        lambda n, c: (
            f"shows '{new}' instead of '{old}' on {_many(n, 'job', 'jobs')} for {_contacts(c)}"
        ),
        key=f"status.{status}",
    )
