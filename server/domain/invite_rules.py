"""Who may be invited: the checks shared by the single invite and the bulk invite.

Classifying many contacts costs a fixed number of queries, whatever their number.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from server.db.base import utcnow
from server.db.models import Contact, Invite, PortalAccount
from server.domain.emails import email_problem, normalise_email

CHUNK = 500


@dataclass(frozen=True)
class Verdict:
    """What inviting one contact would do: ``would_invite`` or the reason it cannot."""

    outcome: str
    detail: str

    @property
    def ok(self) -> bool:
        """Whether an invite may be sent."""
        return self.outcome == "would_invite"


def _chunks[T](items: Sequence[T]) -> Iterable[Sequence[T]]:
    for i in range(0, len(items), CHUNK):
        yield items[i : i + CHUNK]


def _pending_invites(session: Session, account_ids: list[int]) -> set[int]:
    now = utcnow()
    found: set[int] = set()
    for part in _chunks(account_ids):
        found.update(
            session.scalars(
                select(Invite.account_id).where(
                    Invite.account_id.in_(part),
                    Invite.used_at.is_(None),
                    Invite.revoked_at.is_(None),
                    Invite.expires_at > now,
                )
            )
        )
    return found


def classify(
    session: Session,
    workspace_id: int,
    contacts: Sequence[Contact],
    accounts: dict[int, PortalAccount],
) -> dict[int, Verdict]:
    """A verdict per contact id. ``accounts`` maps contact id to its existing account.

    Two chosen contacts with one address: the first gets the invite, the second is told the
    address is taken, since portal emails are unique in a workspace.
    """
    emails = sorted(
        {normalise_email(c.email) for c in contacts if c.email and not email_problem(c.email)}
    )
    holders: dict[str, set[int]] = defaultdict(set)  # email -> contact ids with an account
    customers: dict[str, set[int]] = defaultdict(set)  # email -> customers with a contact
    for part in _chunks(emails):
        for email, contact_id in session.execute(
            select(PortalAccount.email_normalized, PortalAccount.contact_id).where(
                PortalAccount.workspace_id == workspace_id,
                PortalAccount.email_normalized.in_(part),
            )
        ):
            holders[email].add(contact_id)
        for shared, customer_id in session.execute(
            select(Contact.email_normalized, Contact.customer_id)
            .where(Contact.workspace_id == workspace_id, Contact.email_normalized.in_(part))
            .distinct()
        ):
            if shared is not None:
                customers[shared].add(customer_id)
    pending = _pending_invites(session, [a.id for a in accounts.values()])
    claimed: set[str] = set()
    verdicts: dict[int, Verdict] = {}
    for c in contacts:
        verdict = _one(c, accounts.get(c.id), pending, holders, customers, claimed)
        if verdict.ok and c.email:
            claimed.add(normalise_email(c.email))
        verdicts[c.id] = verdict
    return verdicts


def _one(
    c: Contact,
    account: PortalAccount | None,
    pending: set[int],
    holders: dict[str, set[int]],
    customers: dict[str, set[int]],
    claimed: set[str],
) -> Verdict:
    if not c.email or not c.email.strip():
        return Verdict("no_email", f"{c.name} has no email address. Add one first.")
    problem = email_problem(c.email)
    if problem:
        return Verdict("invalid_email", f"{c.name}'s email {c.email!r} has a problem. {problem}")
    if account is not None and account.status == "active":
        return Verdict("already_active", f"{c.name} already has portal access.")
    if account is not None and account.status == "disabled":
        return Verdict(
            "disabled", f"{c.name}'s portal access is disabled. Enable it before inviting again."
        )
    if account is not None and account.id in pending:
        return Verdict(
            "already_invited",
            f"{c.name} already has an invite that still works. Resend it to send a new link.",
        )
    email = normalise_email(c.email)
    if holders[email] - {c.id} or email in claimed:
        return Verdict(
            "email_taken",
            f"{email} is already used for the portal by another contact. "
            "Each portal sign-in needs its own email address.",
        )
    others = customers[email] - {c.customer_id}
    if others:
        return Verdict(
            "email_shared",
            f"{email} also belongs to contacts of {len(others)} other "
            f"{'customer' if len(others) == 1 else 'customers'}. "
            "Fix it in the email clean-up first, so the invite reaches the right person.",
        )
    return Verdict("would_invite", f"An invite will be sent to {email}.")
