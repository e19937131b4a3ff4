"""The work done for a customer: jobs, quotes, invoices, payments, requests, files."""

from __future__ import annotations

from datetime import datetime, timedelta

from server.demo import names
from server.demo.context import Row, SeedContext
from server.demo.documents import add_photo
from server.demo.people import CustomerDraft
from server.wire.visibility import JOB_STATUSES

JOB_WEIGHTS = {
    "new": 4,
    "scheduled": 10,
    "dispatched": 3,
    "in_progress": 4,
    "on_hold": 2,
    "awaiting_parts": 3,
    "completed": 30,
    "invoiced": 35,
    "cancelled": 6,
}
# Service requests make the jobs in "requested" and "declined" (add_request).
REQUEST_JOB_STATUSES = {"requested", "declined"}
assert set(JOB_WEIGHTS) | REQUEST_JOB_STATUSES == set(JOB_STATUSES), "every job status seeded"
QUOTE_WEIGHTS = {"pending": 30, "approved": 40, "declined": 15, "expired": 15}
INVOICE_WEIGHTS = {"paid": 70, "open": 27, "void": 3}
OFFICE_METHODS = ("check", "cash", "card", "bank_transfer")
DECLINE_REASON = "This is outside the area we cover. We are sorry we cannot help this time."


def _at_hour(day: datetime, hour: int) -> datetime:
    return day.replace(hour=hour, minute=0, second=0, microsecond=0)


def _job_times(ctx: SeedContext, status: str) -> tuple[datetime | None, datetime | None]:
    rng = ctx.rng
    if status == "new":
        return None, None
    if status == "scheduled":
        start = _at_hour(ctx.ahead(days=rng.randint(1, 30)), rng.randint(8, 15))
    elif status in ("dispatched", "in_progress"):
        start = (
            ctx.ago(hours=rng.uniform(0.1, 4))
            if status == "in_progress"
            else ctx.ahead(minutes=rng.uniform(10, 90))
        )
    elif status in ("on_hold", "awaiting_parts"):
        start = _at_hour(ctx.ago(days=rng.randint(2, 20)), rng.randint(8, 15))
    else:
        start = _at_hour(ctx.ago(days=rng.randint(3, 720)), rng.randint(8, 15))
    return start, start + timedelta(hours=rng.choice((1, 2, 2, 3, 4, 8)))


def add_job(ctx: SeedContext, draft: CustomerDraft) -> Row:
    """Queue one job in a status drawn from the mix (the first nine walk every status)."""
    rng = ctx.rng
    status = ctx.pick(JOB_WEIGHTS, ctx.numbers["job"])
    number = ctx.number("job")
    title, description, _ = rng.choice(names.JOB_KINDS)
    start, end = _job_times(ctx, status)
    created = min(ctx.now, (start or ctx.now) - timedelta(days=rng.uniform(0.5, 14)))
    created = max(created, draft.customer["created_at"])
    notes = rng.choice(names.INTERNAL_NOTES) if rng.random() < 0.3 else None
    if status == "on_hold":
        notes = rng.choice(names.HOLD_REASONS)
    row: Row = {
        "id": ctx.ids.take("job"),
        "workspace_id": ctx.workspace_id,
        "customer_id": draft.customer["id"],
        "external_id": f"J{number:07d}",
        "number": f"J-{number:06d}",
        "title": title,
        "description": description,
        "internal_status": status,
        "address_id": rng.choice(draft.addresses)["id"],
        "technician_name": None if status == "new" else rng.choice(names.TECHNICIANS),
        "internal_notes": notes,
        "scheduled_start": start,
        "scheduled_end": end,
        "completed_at": end if status in ("completed", "invoiced") else None,
        "source": "office",
        "created_at": created,
        "updated_at": max(created, min(ctx.now, end or created)),
    }
    ctx.batch.add("job", row)
    ctx.tally[f"job_{status}"] += 1
    return row


def _lines(ctx: SeedContext, table: str, parent_key: str, parent_id: int) -> int:
    total = 0
    count = ctx.rng.choice((1, 2, 2, 3, 4))
    for position, (description, price, cost) in enumerate(ctx.rng.sample(names.LINE_ITEMS, count)):
        quantity = ctx.rng.randint(1, 6) if description.startswith("Labor") else 1
        line_total = quantity * price * 100
        total += line_total
        ctx.batch.add(
            table,
            {
                "id": ctx.ids.take(table),
                parent_key: parent_id,
                "position": position,
                "description": description,
                "quantity": quantity,
                "unit_price_cents": price * 100,
                "unit_cost_cents": cost * 100,
                "total_cents": line_total,
            },
        )
    return total


def add_quote(ctx: SeedContext, draft: CustomerDraft, job: Row | None, by_portal: bool) -> None:
    """Queue a quote with lines (the first four walk every status)."""
    rng = ctx.rng
    status = ctx.pick(QUOTE_WEIGHTS, ctx.numbers["quote"])
    number = ctx.number("quote")
    quote_id = ctx.ids.take("quote")
    if status == "pending":
        issued = ctx.ago(days=rng.uniform(0.2, 25))
    else:
        issued = ctx.ago(days=rng.uniform(35, 400))
    decided = (
        issued + timedelta(days=rng.uniform(0.1, 10))
        if status in ("approved", "declined")
        else None
    )
    primary = draft.primary
    row: Row = {
        "id": quote_id,
        "workspace_id": ctx.workspace_id,
        "customer_id": draft.customer["id"],
        "job_id": job["id"] if job else None,
        "external_id": f"Q{number:07d}",
        "number": f"Q-{number:05d}",
        "title": job["title"] if job else rng.choice(names.JOB_KINDS)[0],
        "status": status,
        "currency": "USD",
        "total_cents": _lines(ctx, "quote_line", "quote_id", quote_id),
        "notes": "Price valid for 30 days. Parts subject to availability."
        if rng.random() < 0.5
        else None,
        "issued_at": issued,
        "expires_at": issued + timedelta(days=30),
        "decided_at": decided,
        "approved_name": primary["name"] if status == "approved" else None,
        "approved_ip": "198.51.100.23" if status == "approved" and by_portal else None,
        "decided_by_contact_id": primary["id"] if decided and by_portal else None,
        "declined_reason": rng.choice(names.DECLINE_REASONS) if status == "declined" else None,
        "created_at": issued,
        "updated_at": decided or issued,
    }
    ctx.batch.add("quote", row)
    ctx.tally[f"quote_{status}"] += 1


def _payment(
    ctx: SeedContext,
    draft: CustomerDraft,
    invoice: Row,
    amount: int,
    at: datetime,
    payer: Row | None,
) -> None:
    payment_id = ctx.ids.take("payment")
    portal = payer is not None and ctx.rng.random() < 0.6
    ctx.batch.add(
        "payment",
        {
            "id": payment_id,
            "workspace_id": ctx.workspace_id,
            "invoice_id": invoice["id"],
            "customer_id": draft.customer["id"],
            "amount_cents": amount,
            "currency": "USD",
            "method": "card" if portal else ctx.rng.choice(OFFICE_METHODS),
            "provider": "sandbox" if portal else "office",
            "provider_ref": f"demo_{ctx.workspace_id}_{payment_id}" if portal else None,
            "status": "succeeded",
            "receipt_number": f"R-{ctx.number('receipt'):06d}",
            "paid_by_contact_id": payer["id"] if portal and payer else None,
            "created_at": at,
            "paid_at": at,
        },
    )


def add_invoice(ctx: SeedContext, draft: CustomerDraft, job: Row, payer: Row | None) -> None:
    """Queue an invoice for a finished job, with lines, balance and past payments."""
    rng = ctx.rng
    status = ctx.pick(INVOICE_WEIGHTS, ctx.numbers["invoice"])
    number = ctx.number("invoice")
    invoice_id = ctx.ids.take("invoice")
    issued = min(ctx.now, (job["completed_at"] or ctx.now) + timedelta(hours=rng.uniform(1, 48)))
    total = _lines(ctx, "invoice_line", "invoice_id", invoice_id)
    row: Row = {
        "id": invoice_id,
        "workspace_id": ctx.workspace_id,
        "customer_id": draft.customer["id"],
        "job_id": job["id"],
        "external_id": f"I{number:07d}",
        "number": f"INV-{number:06d}",
        "status": status,
        "currency": "USD",
        "total_cents": total,
        "balance_cents": 0 if status in ("paid", "void") else total,
        "issued_at": issued,
        "due_at": issued + timedelta(days=30),
        "version": 1,
        "created_at": issued,
        "updated_at": issued,
    }
    ctx.batch.add("invoice", row)
    ctx.tally[f"invoice_{status}"] += 1
    if status == "paid":
        paid = min(ctx.now, issued + timedelta(days=rng.uniform(0.1, 40)))
        if total > 20000 and rng.random() < 0.4:  # a deposit, then the rest
            deposit = total // 4
            _payment(ctx, draft, row, deposit, issued, payer)
            _payment(ctx, draft, row, total - deposit, paid, payer)
        else:
            _payment(ctx, draft, row, total, paid, payer)
        row["updated_at"] = paid
    elif status == "open" and total > 20000 and rng.random() < 0.4:
        deposit = total // 3
        _payment(ctx, draft, row, deposit, issued, payer)
        row["balance_cents"] = total - deposit


def add_request(ctx: SeedContext, draft: CustomerDraft, contact: Row) -> Row:
    """Queue a service request sent from the portal and the new job it opened in the queue."""
    rng = ctx.rng
    created = ctx.ago(days=rng.uniform(0.05, 6))
    description = rng.choice(names.SERVICE_REQUESTS)
    request_id = ctx.ids.take("service_request")
    address_id = draft.addresses[0]["id"]
    # As the portal does it: the request becomes a "requested" job, numbered after it. Every
    # fifth the office has already turned down (the customer sees why).
    declined = ctx.tally["request_new"] % 5 == 1
    job: Row = {
        "id": ctx.ids.take("job"),
        "workspace_id": ctx.workspace_id,
        "customer_id": draft.customer["id"],
        "external_id": None,
        "number": f"REQ-{request_id}",
        "title": description[:80],
        "description": description,
        "internal_status": "declined" if declined else "requested",
        "address_id": address_id,
        "technician_name": None,
        "internal_notes": None,
        "scheduled_start": None,
        "scheduled_end": None,
        "completed_at": None,
        "source": "portal",
        "created_at": created,
        "updated_at": created,
    }
    ctx.batch.add("job", job)
    ctx.tally["job_new"] += 1
    row: Row = {
        "id": request_id,
        "workspace_id": ctx.workspace_id,
        "customer_id": draft.customer["id"],
        "contact_id": contact["id"],
        "address_id": address_id,
        "description": description,
        "preferred_times": rng.choice(names.PREFERRED_TIMES),
        "status": "declined" if declined else "requested",
        "job_id": job["id"],
        "created_at": created,
        "question": None,
        "asked_at": None,
        "answer": None,
        "answered_at": None,
        "decline_reason": DECLINE_REASON if declined else None,
        "decided_at": created + timedelta(hours=2) if declined else None,
    }
    ctx.batch.add("service_request", row)
    ctx.tally["request_new"] += 1
    if rng.random() < 0.4:
        add_photo(ctx, draft, job, row)
    return row
