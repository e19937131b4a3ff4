"""Inviting many contacts at once, with a dry run that says what would happen to each.

Contacts are classified with the same rules as a single invite. A real run invites the
eligible ones in chunks, one transaction per chunk, so a long run holds no lock for long.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from server.db.base import utcnow
from server.db.models import Contact, Customer, PortalAccount, Workspace
from server.domain.audit import Actor, record_event
from server.domain.branding import published_branding
from server.domain.customer_search import status_condition
from server.domain.customers import name_range
from server.domain.errors import Invalid
from server.domain.invite_rules import CHUNK, classify
from server.domain.invites import issue_invite
from server.wire.access import MAX_BULK, BulkInviteItem, BulkInviteRequest, BulkInviteResult
from server.wire.search import search_plan

TOO_MANY = f"Invite at most {MAX_BULK:,} contacts at a time. Narrow the selection."


def _selected_ids(session: Session, ws_id: int, body: BulkInviteRequest) -> list[int]:
    if (body.contact_ids is None) == (body.selection is None):
        problem = "Give either contact_ids or a selection."
        raise Invalid(problem, errors={"contact_ids": problem})
    if body.contact_ids is not None:
        if len(body.contact_ids) > MAX_BULK:
            raise Invalid(TOO_MANY, errors={"contact_ids": TOO_MANY})
        if not body.contact_ids:
            raise Invalid("Choose at least one contact.", errors={"contact_ids": "Empty."})
        return list(dict.fromkeys(body.contact_ids))
    assert body.selection is not None
    # A selection is customers as the list finds them; each one's primary contact is invited.
    stmt = select(Customer.primary_contact_id).where(
        Customer.workspace_id == ws_id, Customer.primary_contact_id.is_not(None)
    )
    plan = search_plan(body.selection.q)  # the list's own rule: what it showed is invited
    if plan.name_start is not None:
        name_from, name_to = name_range(plan.name_start)
        stmt = stmt.where(Customer.sort_name >= name_from, Customer.sort_name < name_to)
    for term in plan.terms:
        escaped = term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        stmt = stmt.where(Customer.search_text.like(f"%{escaped}%", escape="\\"))
    if body.selection.portal_status:
        stmt = stmt.where(status_condition(body.selection.portal_status, utcnow()))
    ids = [
        i
        for i in session.scalars(stmt.order_by(Customer.sort_name, Customer.id).limit(MAX_BULK + 1))
        if i
    ]
    if len(ids) > MAX_BULK:
        raise Invalid(TOO_MANY, errors={"selection": TOO_MANY})
    return ids


def _load(
    session: Session, ws_id: int, ids: Sequence[int]
) -> tuple[dict[int, Contact], dict[int, PortalAccount]]:
    contacts = {
        c.id: c
        for c in session.scalars(
            select(Contact).where(Contact.workspace_id == ws_id, Contact.id.in_(ids))
        )
    }
    accounts = {
        a.contact_id: a
        for a in session.scalars(
            select(PortalAccount).where(PortalAccount.contact_id.in_(list(contacts)))
        )
    }
    return contacts, accounts


def bulk_invite(
    session: Session, ws: Workspace, actor: Actor, body: BulkInviteRequest, base_url: str
) -> BulkInviteResult:
    """Classify (dry run) or invite every chosen contact; one result per contact, in order."""
    ids = _selected_ids(session, ws.id, body)
    branding = published_branding(ws)
    results: list[BulkInviteItem] = []
    for start in range(0, len(ids), CHUNK):
        part = ids[start : start + CHUNK]
        contacts, accounts = _load(session, ws.id, part)
        found = [contacts[i] for i in part if i in contacts]
        verdicts = classify(session, ws.id, found, accounts)
        for contact_id in part:
            contact = contacts.get(contact_id)
            if contact is None:
                results.append(
                    BulkInviteItem(
                        contact_id=contact_id,
                        customer_id=None,
                        contact_name=None,
                        email=None,
                        outcome="not_found",
                        detail="There is no such contact in this workspace.",
                    )
                )
                continue
            verdict = verdicts[contact_id]
            detail = verdict.detail
            if verdict.ok and ws.portal_status != "active" and contact.email:
                detail = (
                    f"An invite for {contact.email.strip().lower()} will be held until the "
                    "portal goes live."
                )
            item = BulkInviteItem(
                contact_id=contact_id,
                customer_id=contact.customer_id,
                contact_name=contact.name,
                email=contact.email,
                outcome=verdict.outcome,
                detail=detail,
            )
            if verdict.ok and not body.dry_run:
                issued = issue_invite(
                    session,
                    ws,
                    actor,
                    contact,
                    accounts.get(contact_id),
                    base_url,
                    branding=branding,
                )
                item.outcome = "invited"
                if issued.email is None:
                    item.detail = (
                        f"Held for {issued.account.email_normalized} until the portal goes live."
                    )
                else:
                    item.detail = f"Invite sent to {issued.account.email_normalized}."
                    item.email_id = issued.email.id
            results.append(item)
        if not body.dry_run:
            session.commit()
    counts = Counter(r.outcome for r in results)
    if not body.dry_run:
        record_event(
            session, ws.id, actor, "portal.bulk_invite", total=len(results), counts=dict(counts)
        )
        session.commit()
    return BulkInviteResult(
        dry_run=body.dry_run, total=len(results), counts=dict(counts), results=results
    )
