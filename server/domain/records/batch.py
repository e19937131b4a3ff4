"""A batch of upserts, committed in short transactions so that no other writer waits long.

A batch of up to ``ATOMIC_UP_TO`` records is one transaction: all of it is written, or none
of it. A larger one (thousands of records) is committed every ``CHUNK_SECONDS``: on
SQLite the whole database has one write lock, and a 5,000-record batch held it for over ten
seconds, stalling the mail sender and every other write; on PostgreSQL each record's change
number locks the workspace row for the rest of the transaction. Every item is an upsert by
external id, so when an item fails after some chunks were saved, sending the whole batch
again (mended) is safe: what was saved is found and left as it is.
"""

from __future__ import annotations

import time
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
# Batches this small stay one transaction whatever the machine's speed (a CRM's routine sync
# keeps all-or-nothing), and hold the lock for a fraction of a second (about 2 ms a record).
ATOMIC_UP_TO = 100
# The longest a batch holds the write lock at a stretch. Another writer then waits at most
# about this long (plus one of its lock retries), far under the second the issue allows.
CHUNK_SECONDS = 0.25
# After each commit on SQLite the batch lets go for a moment: SQLite has no queue of waiters,
# and a writer waiting for the lock retries every 100 ms at most, so a shorter gap would let
# the batch take the lock back before the waiter looks again.
SQLITE_GAP_SECONDS = 0.12


def apply_batch(
    session: Session, workspace_id: int, batch: RecordsBatch, actor: Actor
) -> list[Upserted]:
    """Apply customers, contacts, jobs, quotes and invoices in that order; a batch of more
    than ``ATOMIC_UP_TO`` records is committed every ``CHUNK_SECONDS``. The caller commits the
    last part.

    A failing item stops the batch; its error names the item (``contacts.3.email``) and says
    how many records before it were saved, and the caller rolls back the rest.
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
    saved = 0
    in_parts = total > ATOMIC_UP_TO
    sqlite = session.get_bind().dialect.name == "sqlite"
    started = time.monotonic()
    for name, items, apply in groups:
        for i, item in enumerate(items):
            try:
                results.append(apply(item))
            except DomainError as exc:
                where = f"{name}.{i}"
                errors = {f"{where}.{k}": v for k, v in exc.errors.items()} or {where: exc.detail}
                exc.detail = f"{name} item {i} ({item.external_id}): {exc.detail}"
                if saved:
                    exc.detail += (
                        f" The {saved} records before it were saved; sending the mended batch "
                        "again is safe."
                    )
                exc.errors = errors
                raise
            if in_parts and time.monotonic() - started >= CHUNK_SECONDS:
                session.commit()
                saved = len(results)
                if sqlite:
                    time.sleep(SQLITE_GAP_SECONDS)
                started = time.monotonic()
    return results
