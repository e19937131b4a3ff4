"""The home page's rows in one statement: waiting quotes, due invoices and active jobs.

A kept home view is reused while the customer's data is unchanged (``home_views``), so a
view is built when a customer comes back after a change, or when more customers are about
than the server keeps views for. Then the three lists were three statements, and on
PostgreSQL each statement cost the page a round trip to the database and about a third of a
millisecond of the worker's own time (sending, describing the result, reading it). Here the
three are one ``UNION ALL`` under one set of column names, each row tagged with its list,
in each list's own order; a column a list does not have is NULL in its rows.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import (
    Integer,
    String,
    bindparam,
    cast,
    literal_column,
    null,
    select,
    union_all,
)
from sqlalchemy.sql.elements import BindParameter

from server.db.base import UtcDateTime
from server.db.compiled import CompiledSelect
from server.db.models import Address, Invoice, Job, Quote
from server.wire.visibility import ACTIVE_JOB_STATUSES

QUOTE, INVOICE, JOB = 1, 2, 3
_WS: BindParameter[int] = bindparam("workspace_id")
_CUSTOMER: BindParameter[int] = bindparam("customer_id")


def _none(kind: Any) -> Any:
    # Typed in the SQL: PostgreSQL reads an untyped NULL in the first parts as text.
    return cast(null(), kind)


def _row(kind: int, sort_at: Any, **columns: Any) -> Any:
    """One list's SELECT with every column of the union, in the same order."""
    names = (
        "id",
        "number",
        "title",
        "status",
        "notes",
        "total_cents",
        "balance_cents",
        "currency",
        "issued_at",
        "expires_at",
        "due_at",
        "decided_at",
        "approved_name",
        "declined_reason",
        "scheduled_start",
        "line1",
        "line2",
        "city",
        "region",
        "postcode",
    )
    types: dict[str, Any] = {"total_cents": Integer, "balance_cents": Integer}
    for name in ("issued_at", "expires_at", "due_at", "decided_at", "scheduled_start"):
        types[name] = UtcDateTime()
    picked = [(columns[n] if n in columns else _none(types.get(n, String))).label(n) for n in names]
    return [literal_column(str(kind), Integer).label("list"), *picked, sort_at.label("sort_at")]


_QUOTES = select(
    *_row(
        QUOTE,
        Quote.issued_at,
        id=Quote.id,
        number=Quote.number,
        title=Quote.title,
        status=Quote.status,
        notes=Quote.notes,
        total_cents=Quote.total_cents,
        currency=Quote.currency,
        issued_at=Quote.issued_at,
        expires_at=Quote.expires_at,
        decided_at=Quote.decided_at,
        approved_name=Quote.approved_name,
        declined_reason=Quote.declined_reason,
    )
).where(Quote.workspace_id == _WS, Quote.customer_id == _CUSTOMER, Quote.status == "pending")
_INVOICES = select(
    *_row(
        INVOICE,
        Invoice.issued_at,
        id=Invoice.id,
        number=Invoice.number,
        status=Invoice.status,
        total_cents=Invoice.total_cents,
        balance_cents=Invoice.balance_cents,
        currency=Invoice.currency,
        issued_at=Invoice.issued_at,
        due_at=Invoice.due_at,
    )
).where(
    Invoice.workspace_id == _WS,
    Invoice.customer_id == _CUSTOMER,
    Invoice.status == "open",
    Invoice.balance_cents > 0,
)
# The active statuses written into the SQL (they are the code's own constants), so the
# statement has no list parameter to expand on every run and can be compiled once.
if not all(s.isidentifier() for s in ACTIVE_JOB_STATUSES):
    raise ValueError("a job status must be a plain word to be written into the SQL")
_ACTIVE = [literal_column(f"'{s}'", String) for s in sorted(ACTIVE_JOB_STATUSES)]
_JOBS = (
    select(
        *_row(
            JOB,
            Job.scheduled_start,
            id=Job.id,
            number=Job.number,
            title=Job.title,
            status=Job.internal_status,
            scheduled_start=Job.scheduled_start,
            line1=Address.line1,
            line2=Address.line2,
            city=Address.city,
            region=Address.region,
            postcode=Address.postcode,
        )
    )
    .outerjoin(Address, Address.id == Job.address_id)
    .where(
        Job.workspace_id == _WS,
        Job.customer_id == _CUSTOMER,
        Job.internal_status.in_(_ACTIVE),
    )
)


def _statement() -> CompiledSelect:
    union = union_all(_QUOTES, _INVOICES, _JOBS)
    cols = union.selected_columns
    # Each list newest first, as the lists' own pages order them.
    ordered = union.order_by(cols.list, cols.sort_at.desc(), cols.id.desc())
    # Prepared on PostgreSQL (planned once per connection): each part is found through the
    # customer's own index whatever the customer.
    return CompiledSelect(ordered.execution_options(prepared=True))


HOME_ROWS = _statement()
