"""The Rollout panel's calls and rules: readiness, pilot groups, adoption, going live.

The server computes the checklist and matches pilot rules; this module asks for them and
turns the answers into what the owner reads before confirming (plain functions, no Qt).
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from app.api_client import ApiClient

# Which panel fixes each checklist item, and what the button says.
FIX_BUTTONS: dict[str, str] = {
    "access": "Open email clean-up",
    "visibility": "Open What customers see",
    "preview": "Open Preview",
    "branding": "Open Branding",
    "settings": "Open Settings",
    "team": "Open Team",
    "rollout": "Choose a pilot group",
}
# The section of a panel a fix button brings forward (see ui.panels.coming_soon.show_section).
FIX_SECTIONS: dict[str, str] = {"access": "cleanup"}
FUNNEL_STEPS: tuple[tuple[str, str], ...] = (
    ("invited", "Invited"),
    ("accepted", "Accepted"),
    ("signed_in", "Signed in"),
    ("acted", "Did something"),
)


async def readiness(api: ApiClient) -> dict[str, Any]:
    """The checklist as the server computes it from live data."""
    data: dict[str, Any] = await api.get_json("/api/v1/rollout/readiness")
    return data


async def pilot_match(api: ApiClient, rule: Mapping[str, Any]) -> dict[str, Any]:
    """How many customers a rule takes now, a few names, and its problem (if any)."""
    response = await api.request("POST", "/api/v1/rollout/pilot-match", json=dict(rule))
    data: dict[str, Any] = response.json()
    return data


async def groups(api: ApiClient) -> list[dict[str, Any]]:
    """Saved pilot groups with their funnels, newest first."""
    data: list[dict[str, Any]] = await api.get_json("/api/v1/rollout/groups")
    return data


async def create_group(api: ApiClient, name: str, rule: Mapping[str, Any]) -> dict[str, Any]:
    """Save the customers the rule matches now as a named group."""
    response = await api.request(
        "POST", "/api/v1/rollout/groups", json={"name": name, "rule": dict(rule)}
    )
    data: dict[str, Any] = response.json()
    return data


async def invite_batch(api: ApiClient, group_id: int, size: int) -> dict[str, Any]:
    """Invite the next ``size`` members of a group (a retry after a lost answer is safe)."""
    response = await api.request(
        "POST",
        f"/api/v1/rollout/groups/{int(group_id)}/invite-batch",
        json={"size": int(size)},
        headers={"Idempotency-Key": uuid.uuid4().hex},
    )
    data: dict[str, Any] = response.json()
    return data


async def adoption(api: ApiClient, group_id: int | None = None) -> dict[str, Any]:
    """The funnel and weekly adoption for everyone, or one group."""
    params = {"group_id": int(group_id)} if group_id is not None else None
    data: dict[str, Any] = await api.get_json("/api/v1/rollout/adoption", params=params)
    return data


async def set_portal_status(
    api: ApiClient, status: str, acknowledged: Sequence[str] = ()
) -> dict[str, Any]:
    """Switch the portal through the workspace settings (the one path that does it).

    Going live names the open checklist items the owner acknowledged; the server refuses
    (409) if any other blocking item is open by then.
    """
    current = await api.request("GET", "/api/v1/workspace")
    body: dict[str, Any] = {"portal_status": status}
    if status == "active":
        body["acknowledged_open_items"] = list(acknowledged)
    response = await api.request(
        "PATCH",
        "/api/v1/workspace",
        json=body,
        headers={"If-Match": current.headers.get("ETag", "")},
    )
    data: dict[str, Any] = response.json()
    return data


async def held_invites_waiting(api: ApiClient) -> int:
    """How many invites held while the portal was coming soon are still to be sent."""
    data: dict[str, Any] = await api.get_json("/api/v1/workspace/held-invites")
    return int(data["waiting"])


async def follow_held_invites(
    api: ApiClient,
    progress: Callable[[int, int], None],
    *,
    every: float = 1.0,
) -> int:
    """After a go-live, report ``progress(sent, total)`` until every held invite is sent (the
    server sends them in batches after answering); answers how many were sent."""
    total = left = await held_invites_waiting(api)
    while left:
        progress(total - left, total)
        await asyncio.sleep(every)
        now = await held_invites_waiting(api)
        if now > left:  # more were held meanwhile (switched back and forth): a new total
            total += now - left
        left = now
    progress(total, total)
    return total


def rule_from_form(
    months: int, min_jobs: int, open_work: bool, not_invited: bool, size: int
) -> dict[str, Any]:
    """The rule the server expects; a size of 0 means no cap."""
    return {
        "months": int(months),
        "min_jobs": int(min_jobs),
        "open_work": bool(open_work),
        "not_invited": bool(not_invited),
        "size": int(size) or None,
    }


def describe_rule(rule: Mapping[str, Any]) -> str:
    """A rule in one sentence, as the group list shows it."""
    jobs = rule.get("min_jobs", 1)
    text = f"{jobs} or more job{'s' if jobs != 1 else ''} in the last {rule.get('months')} months"
    if rule.get("open_work"):
        text += ", with an open quote or invoice"
    if rule.get("not_invited"):
        text += ", not yet invited"
    if rule.get("size"):
        text += f", at most {rule['size']:,}"
    return text


def match_text(match: Mapping[str, Any]) -> str:
    """What a rule preview says: the count, a few names, or why it makes no pilot."""
    if match.get("problem"):
        return str(match["problem"])
    names = ", ".join(match.get("sample") or [])
    more = match["matched"] - len(match.get("sample") or [])
    tail = f" and {more:,} more" if more > 0 else ""
    return f"{match['matched']:,} of {match['total_customers']:,} customers match: {names}{tail}."


def percent(part: int, whole: int) -> str:
    """A share as people read it (no division by zero)."""
    return f"{round(100 * part / whole)}%" if whole else "0%"


def funnel_rows(funnel: Mapping[str, int]) -> list[tuple[str, int, str]]:
    """Each funnel step: label, count, share of the customers counted."""
    whole = int(funnel.get("customers", 0))
    return [
        (label, int(funnel.get(k, 0)), percent(int(funnel.get(k, 0)), whole))
        for k, label in FUNNEL_STEPS
    ]


@dataclass
class Confirmation:
    """What the go-live (or switch-back) dialog says, and what it must have acknowledged."""

    title: str
    changes: list[str]
    open_items: list[tuple[str, str, str]] = field(default_factory=list)  # key, title, summary
    advice: list[str] = field(default_factory=list)
    button: str = "Go live"

    @property
    def needs_acknowledgement(self) -> bool:
        """Blocking items are open: each must be ticked before the button works."""
        return bool(self.open_items)


def go_live_confirmation(ready: Mapping[str, Any], held_invites: int | None = None) -> Confirmation:
    """What going live changes for customers, and which checklist items are still open."""
    changes = [
        "Customers who follow a portal link see the sign-in page instead of “coming soon”.",
        "Invite links work: invited contacts can choose a password and sign in.",
        "Signed-in customers can approve quotes, pay invoices and ask for work.",
    ]
    if held_invites:
        changes.append(
            f"{held_invites:,} invite{' was' if held_invites == 1 else 's were'} held while "
            "the portal was coming soon and will be sent now, in batches; the status bar "
            "counts them down."
        )
    elif held_invites == 0:
        changes.append("No invites are waiting to be sent.")
    items = ready.get("items", [])
    open_items = [
        (str(i["key"]), str(i["title"]), str(i["summary"]))
        for i in items
        if i.get("blocking") and not i.get("ready")
    ]
    advice = [
        f"{i['title']}: {i['summary']}"
        for i in items
        if not i.get("blocking") and not i.get("ready")
    ]
    return Confirmation(
        title="Open the customer portal?",
        changes=changes,
        open_items=open_items,
        advice=advice,
        button="Go live anyway" if open_items else "Go live",
    )


def switch_back_confirmation(funnel: Mapping[str, int] | None) -> Confirmation:
    """What switching back to coming soon does to customers, spelled out."""
    signed_in = int((funnel or {}).get("signed_in", 0))
    invited = int((funnel or {}).get("invited", 0))
    changes = [
        "Every portal page shows “coming soon” again, on the customer's next click. "
        + (f"That includes the {signed_in:,} customers who have signed in: " if signed_in else "")
        + "nobody can see jobs, approve quotes, pay or ask for work.",
        "Customers stay signed in and keep their passwords; when the portal is live again "
        "they carry on where they were, unless their session ran out meanwhile.",
        (
            f"Invite and reset links ({invited:,} customers were invited) cannot be used "
            "until the portal is live again; invite links still expire 7 days after sending."
        ),
        "Payments customers already made are kept, and payments the provider confirms "
        "later are still recorded.",
    ]
    return Confirmation(
        title="Switch the portal back to coming soon?", changes=changes, button="Switch back"
    )
