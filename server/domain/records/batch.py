"""A batch of upserts in one transaction: all of it is written, or none of it."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from sqlalchemy.orm import Session

from server.domain.audit import Actor
from server.domain.errors import DomainError, Invalid
from server.domain.records.billing import upsert_invoice, upsert_quote
from server.domain.records.contacts import upsert_contact
from server.domain.records.customers import Upserted, upsert_customer
from server.domain.records.jobs import upsert_job
from server.wire.records import RecordsBatch

MAX_BATCH = 5000


def apply_batch(
    session: Session, workspace_id: int, batch: RecordsBatch, actor: Actor
) -> list[Upserted]:
    """Apply customers, contacts, jobs, quotes and invoices in that order.

    A failing item stops the batch; its error names the item (``contacts.3.email``), and the
    caller rolls back.
    """
    groups: list[tuple[str, Sequence[Any], Callable[[Any], Upserted]]] = [
        (
            "customers",
            batch.customers,
            lambda r: upsert_customer(session, workspace_id, r.external_id, r),
        ),
        (
            "contacts",
            batch.contacts,
            lambda r: upsert_contact(session, workspace_id, r.external_id, r, actor),
        ),
        ("jobs", batch.jobs, lambda r: upsert_job(session, workspace_id, r.external_id, r)),
        ("quotes", batch.quotes, lambda r: upsert_quote(session, workspace_id, r.external_id, r)),
        (
            "invoices",
            batch.invoices,
            lambda r: upsert_invoice(session, workspace_id, r.external_id, r),
        ),
    ]
    total = sum(len(items) for _, items, _ in groups)
    if total == 0:
        raise Invalid("The batch is empty: send at least one record.")
    if total > MAX_BATCH:
        raise Invalid(f"A batch holds at most {MAX_BATCH} records; this one has {total}.")
    results: list[Upserted] = []
    for name, items, apply in groups:
        for i, item in enumerate(items):
            try:
                results.append(apply(item))
            except DomainError as exc:
                where = f"{name}.{i}"
                errors = {f"{where}.{k}": v for k, v in exc.errors.items()} or {where: exc.detail}
                exc.detail = f"{name} item {i} ({item.external_id}): {exc.detail}"
                exc.errors = errors
                raise
    return results
