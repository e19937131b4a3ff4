"""Portal accounts in every state, their invites and audit trail, and the customer summary.

The summary columns are computed here from the rows just generated, with the same rules as
``customer_summary.refresh_customer`` (a test compares the two), instead of querying each
customer back: that is what lets 100,000 customers seed in seconds.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from datetime import datetime, timedelta
from typing import Any, cast

from server.db.models import Address, Contact, Customer
from server.demo import names
from server.demo.context import Row, SeedContext
from server.demo.people import CustomerDraft
from server.domain.customer_summary import search_text

VALID_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
# Share of customers in each portal state (the customer list's portal_status values).
STATES = {
    "not_invited": 52,
    "invited": 10,
    "invite_expired": 7,
    "active": 24,
    "locked": 2,
    "disabled": 5,
}
INVITE_DAYS = 7


def _usable(ctx: SeedContext, contact: Row) -> bool:
    email = contact["email_normalized"]
    return bool(email and VALID_EMAIL.match(email) and email not in ctx.account_emails)


def _event(
    ctx: SeedContext,
    draft: CustomerDraft,
    contact: Row,
    at: datetime,
    actor: str,
    action: str,
    **detail: Any,
) -> None:
    if actor in ctx.staff:
        kind, actor_id, actor_name = "staff", ctx.staff[actor].id, ctx.staff[actor].name
    elif actor == "customer":
        kind, actor_id, actor_name = "customer", contact["id"], contact["name"]
    else:
        kind, actor_id, actor_name = "system", None, "Toolbag Portal"
    ctx.batch.add(
        "audit_event",
        {
            "id": ctx.ids.take("audit_event"),
            "workspace_id": ctx.workspace_id,
            "customer_id": draft.customer["id"],
            "contact_id": contact["id"],
            "actor_kind": kind,
            "actor_id": actor_id,
            "actor_name": actor_name,
            "action": f"portal.{action}",
            "detail": detail,
            "ip": "198.51.100.23" if kind == "customer" else None,
            "created_at": at,
        },
    )


def _invite(ctx: SeedContext, draft: CustomerDraft, account: Row, sent: datetime) -> Row:
    # Real random tokens, thrown away: a seed-derived token could be recomputed by anyone.
    row: Row = {
        "id": ctx.ids.take("invite"),
        "workspace_id": ctx.workspace_id,
        "account_id": account["id"],
        "digest": hashlib.sha256(secrets.token_bytes(32)).hexdigest(),
        "created_at": sent,
        "expires_at": sent + timedelta(days=INVITE_DAYS),
        "used_at": None,
        "revoked_at": None,
        "sent_by_id": ctx.staff["dispatcher"].id,
        "outbox_id": None,
    }
    draft.invites.append(row)
    return row


def open_account(ctx: SeedContext, draft: CustomerDraft, contact: Row, state: str) -> Row:
    """Give a contact a portal account in ``state`` with the invites and events behind it."""
    rng = ctx.rng
    account: Row = {
        "id": ctx.ids.take("portal_account"),
        "workspace_id": ctx.workspace_id,
        "contact_id": contact["id"],
        "customer_id": draft.customer["id"],
        "email_normalized": contact["email_normalized"],
        "status": "invited",
        "password_hash": None,
        "failed_attempts": 0,
        "locked_until": None,
        "last_sign_in_at": None,
        "password_changed_at": None,
        "disabled_at": None,
        "disabled_reason": None,
        "disabled_by_id": None,
        "last_action": None,
    }
    email = contact["email_normalized"]
    ctx.account_emails.add(email)
    if state == "invited":
        sent = ctx.ago(days=rng.uniform(0.05, INVITE_DAYS - 0.5))
    elif state == "invite_expired":
        sent = ctx.ago(days=rng.uniform(INVITE_DAYS + 1, 90))
    else:
        sent = ctx.ago(days=rng.uniform(30, 400))
    if rng.random() < 0.2:  # resent once: the first link was revoked by the newer one
        first = _invite(ctx, draft, account, sent - timedelta(days=rng.uniform(8, 30)))
        first["revoked_at"] = sent
        _event(ctx, draft, contact, first["created_at"], "dispatcher", "invite_sent", email=email)
        _event(ctx, draft, contact, sent, "dispatcher", "invite_resent", email=email)
    else:
        _event(ctx, draft, contact, sent, "dispatcher", "invite_sent", email=email)
    invite = _invite(ctx, draft, account, sent)
    last: tuple[str, str, datetime] = ("invite_sent", ctx.staff["dispatcher"].name, sent)
    if state in ("active", "locked", "disabled"):
        accepted = sent + timedelta(hours=rng.uniform(0.2, 70))
        invite["used_at"] = accepted
        account["status"] = "active"
        account["password_hash"] = ctx.password_hash
        account["password_changed_at"] = accepted
        account["last_sign_in_at"] = min(
            ctx.ago(minutes=5), accepted + timedelta(days=rng.uniform(0, 300))
        )
        _event(ctx, draft, contact, accepted, "customer", "invite_accepted")
        last = ("invite_accepted", contact["name"], accepted)
    if state == "locked":
        account["failed_attempts"] = 5
        account["locked_until"] = ctx.ahead(minutes=rng.uniform(30, 720))
        locked_at = ctx.ago(minutes=rng.uniform(1, 25))
        _event(
            ctx,
            draft,
            contact,
            locked_at,
            "system",
            "locked",
            until=account["locked_until"].isoformat(),
        )
        last = ("locked", "Toolbag Portal", locked_at)
    if state == "disabled":
        manager = ctx.staff["manager"]
        when = min(
            ctx.ago(minutes=10), account["last_sign_in_at"] + timedelta(days=rng.uniform(1, 60))
        )
        reason = rng.choice(names.DISABLE_REASONS)
        account.update(
            status="disabled", disabled_at=when, disabled_reason=reason, disabled_by_id=manager.id
        )
        _event(ctx, draft, contact, when, "manager", "access_disabled", reason=reason)
        last = ("access_disabled", manager.name, when)
    by_kind = {"invite_accepted": "customer", "locked": "system"}.get(last[0], "staff")
    account["last_action"] = {
        "action": last[0],
        "by": last[1],
        "by_kind": by_kind,
        "at": last[2].isoformat(),
    }
    account["created_at"] = sent
    account["updated_at"] = last[2]
    draft.accounts.append(account)
    ctx.tally[f"account_{state}"] += 1
    return account


def give_access(ctx: SeedContext, draft: CustomerDraft, pending: list[str]) -> None:
    """Choose this customer's portal state; ``pending`` lists states not yet shown once."""
    candidates = [c for c in draft.contacts if _usable(ctx, c)]
    if not candidates:
        return
    state = pending.pop(0) if pending else ctx.pick(STATES)
    if state == "not_invited":
        return
    account = open_account(ctx, draft, candidates[0], state)
    billing = [c for c in candidates[1:] if c["role"] == "billing"]
    if billing and account["status"] == "active" and ctx.rng.random() < 0.3:
        open_account(ctx, draft, billing[0], "active")


class _View:
    """Attribute access over a row dict: enough for search_text, without ORM instances."""

    def __init__(self, row: Row) -> None:
        self.__dict__.update(row)


class _AddressView(_View):
    """An address row that formats itself with the model's own one_line()."""

    def one_line(self) -> str:
        """The address on one line, formatted by the model's own method."""
        return Address.one_line(cast(Address, self))


def summarise(ctx: SeedContext, draft: CustomerDraft) -> None:
    """Fill the customer's denormalised columns exactly as ``refresh_customer`` would."""
    row = draft.customer
    contacts = sorted(draft.contacts, key=lambda c: c["id"])
    addresses = sorted(draft.addresses, key=lambda a: a["id"])
    primary = next((c for c in contacts if c["is_primary"]), contacts[0] if contacts else None)
    row["primary_contact_id"] = primary["id"] if primary else None
    row["primary_contact_name"] = primary["name"] if primary else None
    row["primary_email"] = primary["email"] if primary else None
    views = [_AddressView(a) for a in addresses]
    row["address_line"] = views[0].one_line() if views else None
    row["search_text"] = search_text(
        cast(Customer, _View(row)),
        cast(list[Contact], [_View(c) for c in contacts]),
        cast(list[Address], views),
    )
    by_contact = {a["contact_id"]: a for a in draft.accounts}
    # The primary contact's account only, as ``customer_summary.refresh_customer`` decides.
    account = by_contact.get(primary["id"]) if primary else None
    row["access_status"] = account["status"] if account else "not_invited"
    row["access_locked_until"] = account["locked_until"] if account else None
    row["last_sign_in_at"] = account["last_sign_in_at"] if account else None
    row["access_invite_expires_at"] = None
    if account is not None and account["status"] == "invited":
        live = [
            i
            for i in draft.invites
            if i["account_id"] == account["id"] and i["revoked_at"] is None and i["used_at"] is None
        ]
        if live:
            row["access_invite_expires_at"] = max(live, key=lambda i: i["id"])["expires_at"]
    row["updated_at"] = ctx.now
