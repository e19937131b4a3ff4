"""The workspace's rollout at a glance: how many customers' primary contacts are at each stage.

Counted from the list's statuses (the same ones the filter chips use), so the numbers agree with
what the chips find.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from app.bulk_choice import plural
from app.portal_status import STATUS_BY_CODE

STAGES = {
    "active": "active",
    "invited": "invited, waiting for them to choose a password",
    "invite_expired": "invite expired",
    "locked": "locked out",
    "disabled": "disabled",
    "not_invited": "not invited yet",
}


def status_counts(codes: bytes | bytearray | Sequence[int]) -> dict[str, int]:
    """How many rows are at each status (``codes`` as in ``CustomerIndex.statuses``)."""
    data = bytes(codes) if not isinstance(codes, bytes | bytearray) else codes
    return {status: data.count(code) for code, status in enumerate(STATUS_BY_CODE)}


def rollout_lines(counts: Mapping[str, int], portal_active: bool) -> list[str]:
    """The summary as short lines for the detail pane when no customer is chosen."""
    total = sum(counts.values())
    if total == 0:
        return ["No customers yet. They arrive from the CRM; this list fills in by itself."]
    lines = [f"{plural(total, 'customer')}. Their primary contacts' portal access:"]
    for status, words in STAGES.items():
        n = counts.get(status, 0)
        if n:
            share = f" ({n * 100 / total:.0f}%)" if status == "active" else ""
            lines.append(f"• {n:,} {words}{share}")
    if not portal_active:
        lines.append(
            "The portal is coming soon: invites sent now are held and go out when it goes live."
        )
    lines.append("Choose a customer to see each contact's access and act on it.")
    return lines
