"""The readiness checklist before going live, computed from live data on every request.

Each item says whether it is done, the numbers behind that, and which console panel fixes
it. The ``BLOCKING_ITEMS`` stop the switch to live unless the owner acknowledges each one by
name (see ``workspace_settings.update_workspace``); the others are advice.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy import func, select, true
from sqlalchemy.orm import Session

from server.db.base import utcnow
from server.db.models import (
    AuditEvent,
    Checkout,
    CustomerGroup,
    CustomerGroupMember,
    Document,
    Invite,
    Photo,
    PortalAccount,
    ProviderEvent,
    StaffUser,
    Workspace,
)
from server.domain.branding import published_branding
from server.domain.email_problem_counts import problem_counts
from server.domain.errors import Conflict
from server.domain.permissions import Permission, permissions_for
from server.payments import PaymentsNotConfigured, provider_for
from server.settings import Settings
from server.wire.rollout import BLOCKING_ITEMS, Readiness, ReadinessItem

PREVIEW_FRESH = timedelta(days=14)
WEBHOOK_FRESH = timedelta(days=30)
# Who may invite, reset and disable: the three access powers a team should plan.
ACCESS_POWERS = (Permission.INVITE, Permission.RESET, Permission.DISABLE)


def readiness(session: Session, ws: Workspace, settings: Settings) -> Readiness:
    """Every checklist item, in the order an owner works through them."""
    now = utcnow()
    items = [
        _emails(session, ws),
        _visibility(session, ws),
        _payments(session, ws, settings, now),
        _branding(ws),
        _team(session, ws),
        _pilot(session, ws),
        _preview(session, ws, now),
    ]
    return Readiness(
        portal_status=ws.portal_status,  # checked on write
        held_invites=held_invites(session, ws),
        items=items,
        open_blocking=[i.key for i in items if i.blocking and not i.ready],
        ready_count=sum(1 for i in items if i.ready),
        computed_at=now,
    )


def held_invites(session: Session, ws: Workspace) -> int:
    """Invites made while the portal was coming soon, waiting to be sent when it goes live
    (counted as ``invites.release_held_invites`` picks them)."""
    return (
        session.scalar(
            select(func.count())
            .select_from(Invite)
            .join(PortalAccount, PortalAccount.id == Invite.account_id)
            .where(
                Invite.workspace_id == ws.id,
                Invite.held == true(),
                Invite.revoked_at.is_(None),
                Invite.used_at.is_(None),
                PortalAccount.status == "invited",
            )
        )
        or 0
    )


def open_blocking(session: Session, ws: Workspace) -> list[ReadinessItem]:
    """The blocking items still open (what going live must acknowledge)."""
    items = [_emails(session, ws), _visibility(session, ws), _branding(ws), _team(session, ws)]
    return [i for i in items if not i.ready]


def check_go_live(session: Session, ws: Workspace, acknowledged: Sequence[str] | None) -> list[str]:
    """Refuse going live while a blocking item is open and not acknowledged by name (409);
    answers the open items the owner acknowledged, for the audit trail."""
    still_open = open_blocking(session, ws)
    missing = [i for i in still_open if i.key not in (acknowledged or [])]
    if missing:
        listed = "; ".join(f"{i.title}: {i.summary}" for i in missing)
        raise Conflict(
            f"These checklist items are still open: {listed} To go live anyway, acknowledge "
            "each of them.",
            errors={"acknowledged_open_items": ", ".join(i.key for i in missing)},
        )
    return [i.key for i in still_open]


def _item(key: str, title: str, ready: bool, summary: str, **rest: object) -> ReadinessItem:
    return ReadinessItem.model_validate(
        {"key": key, "title": title, "ready": ready, "blocking": key in BLOCKING_ITEMS}
        | {"summary": summary}
        | rest
    )


def _plural(n: int, one: str, many: str | None = None) -> str:
    return f"{n:,} {one if n == 1 else (many or one + 's')}"


def _emails(session: Session, ws: Workspace) -> ReadinessItem:
    counts = problem_counts(session, ws.id)
    wrong = counts["invalid"] + counts["duplicated"] + counts["shared"]
    details = []
    if counts["invalid"]:
        details.append(f"{_plural(counts['invalid'], 'contact')} with an invalid email")
    if counts["duplicated"]:
        details.append(f"{_plural(counts['duplicated'], 'email')} repeated within one customer")
    if counts["shared"]:
        details.append(f"{_plural(counts['shared'], 'email')} shared by several customers")
    if counts["missing"]:
        details.append(
            f"{_plural(counts['missing'], 'contact')} without an email (they cannot be "
            "invited until one is added)"
        )
    summary = (
        "Every email can be invited safely."
        if not wrong
        else f"{_plural(wrong, 'email problem')} could send an invite to the wrong person."
    )
    return _item(
        "emails",
        "Emails clean",
        not wrong,
        summary,
        details=details,
        numbers=counts,
        panel="access",
    )


def _last_event(session: Session, ws: Workspace, action: str) -> AuditEvent | None:
    return session.scalar(
        select(AuditEvent)
        .where(AuditEvent.workspace_id == ws.id, AuditEvent.action == action)
        .order_by(AuditEvent.id.desc())
        .limit(1)
    )


def _when(at: datetime) -> str:
    return at.strftime("%d %b %Y")


def _visibility(session: Session, ws: Workspace) -> ReadinessItem:
    published = _last_event(session, ws, "visibility.published")
    pending = sum(
        session.scalar(
            select(func.count())
            .select_from(model)
            .where(model.workspace_id == ws.id, model.review_status == "pending")
        )
        or 0
        for model in (Document, Photo)
    )
    details = []
    if published is not None:
        who = published.actor_name or "someone"
        details.append(f"Published by {who} on {_when(published.created_at)}")
    else:
        details.append("The policy has never been reviewed and published; the defaults apply")
    if ws.visibility_draft is not None:
        details.append("A draft with changes is waiting to be published")
    if pending:
        details.append(f"{_plural(pending, 'file')} waiting for review before customers see it")
    ready = published is not None and pending == 0
    summary = "Decided and published." if ready else "Not decided yet."
    return _item(
        "visibility",
        "What customers see decided",
        ready,
        summary,
        details=details,
        numbers={
            "published": int(published is not None),
            "pending_files": pending,
            "draft_waiting": int(ws.visibility_draft is not None),
        },
        panel="visibility",
    )


def _payments(session: Session, ws: Workspace, settings: Settings, now: datetime) -> ReadinessItem:
    how = (
        "Online payments are set up where the portal server runs (its payment provider and "
        "Stripe keys), not in the console."
    )
    try:
        provider = provider_for(ws, settings)
    except PaymentsNotConfigured as exc:
        return _item(
            "payments", "Online payments ready", False, str(exc), how=how, panel="settings"
        )
    paid = (
        session.scalar(
            select(func.count())
            .select_from(Checkout)
            .where(Checkout.workspace_id == ws.id, Checkout.status == "completed")
        )
        or 0
    )
    heard = session.scalar(
        select(func.max(ProviderEvent.received_at)).where(ProviderEvent.workspace_id == ws.id)
    )
    recent = heard is not None and now - heard <= WEBHOOK_FRESH
    mode = "test mode" if provider.test_mode else "live mode"
    details = [f"Provider: {provider.name} ({mode})"]
    made = f"{_plural(paid, 'payment')} made through the portal"
    details.append(made if paid else "No test payment made yet")
    sandbox = provider.name == "sandbox"
    if sandbox:
        summary = "Test mode only: the sandbox takes no real money, and customers see a notice."
    elif recent and heard is not None:
        details.append(f"Payment notifications last heard {_when(heard)}")
        summary = "Ready to take payments." if paid else "Make a test payment to check it."
    else:
        summary = "No payment notification (webhook) heard in the last 30 days."
    ready = paid > 0 and not sandbox and recent
    return _item(
        "payments",
        "Online payments ready",
        ready,
        summary,
        details=details,
        numbers={
            "payments": paid,
            "test_mode": int(provider.test_mode),
            "webhook_recent": int(recent),
        },
        how=how,
        panel="settings",
    )


def _branding(ws: Workspace) -> ReadinessItem:
    brand = published_branding(ws)
    missing = []
    if not brand.brand_name.strip():
        missing.append("a business name")
    if brand.logo_file_id is None:
        missing.append("a logo")
    if not (brand.phone or brand.email):
        missing.append("a phone number or email for customers")
    details = [f"Portal address: /p/{ws.slug}/"]
    details += [f"Missing {m}" for m in missing]
    if ws.branding_draft is not None:
        details.append("A draft with changes is waiting to be published")
    summary = "Complete." if not missing else f"Missing {', '.join(missing)}."
    return _item(
        "branding",
        "Branding complete",
        not missing,
        summary,
        details=details,
        numbers={"missing": len(missing), "draft_waiting": int(ws.branding_draft is not None)},
        panel="branding",
    )


def _team(session: Session, ws: Workspace) -> ReadinessItem:
    roles = list(
        session.scalars(
            select(StaffUser.role).where(
                StaffUser.workspace_id == ws.id, StaffUser.is_active.is_(True)
            )
        )
    )
    holders = {
        p.value: sum(1 for r in roles if p in permissions_for(r, ws.permissions))
        for p in ACCESS_POWERS
    }
    may = ", ".join(f"{n:,} may {power}" for power, n in holders.items())
    details = [f"{_plural(len(roles), 'active member')}: {may}"]
    nobody = [power for power, n in holders.items() if n == 0]
    everyone = len(roles) >= 2 and all(n == len(roles) for n in holders.values())
    # Defaults never saved: "everyone may do everything" may be an accident, not a plan.
    unplanned = everyone and ws.permissions_version <= 1
    if nobody:
        summary = f"Nobody may {', '.join(nobody)}: customers could not be helped."
    elif unplanned:
        summary = (
            "Everyone on the team may invite, reset and disable. If that is the plan, save "
            "the permission table once to confirm it."
        )
    else:
        summary = "Planned."
    return _item(
        "team",
        "Team planned",
        not nobody and not unplanned,
        summary,
        details=details,
        numbers={"members": len(roles), **holders},
        panel="team",
    )


def _pilot(session: Session, ws: Workspace) -> ReadinessItem:
    groups = (
        session.scalar(
            select(func.count())
            .select_from(CustomerGroup)
            .where(CustomerGroup.workspace_id == ws.id)
        )
        or 0
    )
    invited = (
        session.scalar(
            select(func.count())
            .select_from(CustomerGroupMember)
            .join(CustomerGroup, CustomerGroup.id == CustomerGroupMember.group_id)
            .where(
                CustomerGroup.workspace_id == ws.id,
                CustomerGroupMember.batch_invited_at.is_not(None),
            )
        )
        or 0
    )
    if not groups:
        summary = "No pilot group chosen yet."
    elif not invited:
        summary = "A pilot group is chosen but nobody in it is invited yet."
    else:
        summary = f"{_plural(invited, 'pilot customer')} invited."
    return _item(
        "pilot",
        "Pilot group chosen and invited",
        invited > 0,
        summary,
        numbers={"groups": groups, "invited": invited},
        panel="rollout",
    )


def _preview(session: Session, ws: Workspace, now: datetime) -> ReadinessItem:
    last = _last_event(session, ws, "staff.preview")
    recent = last is not None and now - last.created_at <= PREVIEW_FRESH
    if last is None:
        summary = "Nobody has previewed the portal as a customer yet."
    else:
        who = last.actor_name or "someone"
        summary = f"Last previewed by {who} on {_when(last.created_at)}."
        if not recent:
            summary += " Look again: that was more than two weeks ago."
    return _item(
        "preview",
        "Customer experience previewed recently",
        recent,
        summary,
        numbers={"days_since": (now - last.created_at).days if last else -1},
        panel="preview",
    )
