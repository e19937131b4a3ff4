"""Rollout: the readiness checklist, pilot groups and the adoption funnel (``/api/v1/rollout``)."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import Field

from server.wire.access import BulkInviteItem
from server.wire.base import Request, Response

ItemKey = Literal["emails", "visibility", "payments", "branding", "team", "pilot", "preview"]
# Items that stop going live unless the owner acknowledges each one by name.
BLOCKING_ITEMS: tuple[ItemKey, ...] = ("emails", "visibility", "branding", "team")


class ReadinessItem(Response):
    """One line of the checklist: done or not, the numbers behind it, and where to fix it.

    ``panel`` is the console panel that fixes it (``access``, ``visibility``, ``preview``,
    ``branding``, ``settings``, ``team``, ``rollout``); ``how`` says what is done elsewhere.
    """

    key: ItemKey
    title: str
    ready: bool
    blocking: bool
    summary: str
    details: list[str] = []
    numbers: dict[str, int] = {}
    panel: str | None = None
    how: str | None = None


class Readiness(Response):
    """``GET /api/v1/rollout/readiness``: the checklist, computed from live data."""

    portal_status: Literal["coming_soon", "active"]
    # Invites made while coming soon: going live sends them.
    held_invites: int = 0
    items: list[ReadinessItem]
    open_blocking: list[ItemKey]
    ready_count: int
    computed_at: datetime


class PilotRule(Request):
    """Which customers a pilot group takes: repeat customers by recent work.

    ``min_jobs`` jobs in the last ``months`` months; with ``open_work`` only customers with
    a pending quote or an unpaid invoice; with ``not_invited`` only customers nobody invited.
    ``size`` caps the group (the customers with the most recent work first).
    """

    months: int = Field(default=12, ge=1, le=120)
    min_jobs: int = Field(default=2, ge=1, le=1000)
    open_work: bool = False
    not_invited: bool = True
    size: int | None = Field(default=None, ge=1, le=5000)


class PilotMatch(Response):
    """``POST /api/v1/rollout/pilot-match``: how many customers a rule takes, before saving.

    ``problem`` is set when the rule matches nobody or everyone (saving it is refused).
    """

    matched: int
    total_customers: int
    sample: list[str]
    problem: str | None = None


class GroupCreate(Request):
    """``POST /api/v1/rollout/groups``: save the customers a rule matches now as a named group."""

    name: str = Field(min_length=1, max_length=100)
    rule: PilotRule


class Funnel(Response):
    """How far customers got: invited, accepted (set a password), signed in, did something
    (approved or declined a quote, paid, or asked for work through the portal)."""

    customers: int
    invited: int
    accepted: int
    signed_in: int
    acted: int


class AdoptionWeek(Response):
    """Cumulative counts at the end of one week (Monday start, UTC)."""

    week: datetime
    invited: int
    accepted: int


class Adoption(Response):
    """``GET /api/v1/rollout/adoption``: the funnel and weekly adoption, for a group or all."""

    group_id: int | None
    funnel: Funnel
    weeks: list[AdoptionWeek]


class CustomerGroupOut(Response):
    """A saved group with its rule and size; ``funnel`` when one group is asked for (the
    list leaves it out: ``GET /api/v1/rollout/adoption?group_id=`` has it)."""

    id: int
    name: str
    rule: PilotRule
    size: int
    batch_invited: int
    created_at: datetime
    created_by: str | None
    funnel: Funnel | None = None


class InviteBatch(Request):
    """``POST /api/v1/rollout/groups/{id}/invite-batch``: invite the next ``size`` members."""

    size: int = Field(default=25, ge=1, le=500)


class InviteBatchResult(Response):
    """What the batch did for each member's primary contact, and how many remain."""

    results: list[BulkInviteItem]
    counts: dict[str, int]
    remaining: int
