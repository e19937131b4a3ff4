"""The visibility policy: what customers may see and do in the portal.

Enforced on the server where data leaves it: a hidden field is never rendered, serialised,
mailed or used in a file name. Documents and photos are shown only after a staff review marks
them shareable, whatever the policy says.
"""

from __future__ import annotations

from pydantic import Field, StrictBool, model_validator

from server.wire.base import Request, Response

SECTIONS: tuple[str, ...] = ("jobs", "quotes", "invoices", "documents", "photos")

# Every field a policy may name, per section, with its default visibility.
FIELDS: dict[str, dict[str, bool]] = {
    "jobs": {
        "number": True,
        "title": True,
        "description": True,
        "status": True,
        "scheduled_time": True,
        "address": True,
        "technician_name": True,
        "internal_notes": False,
        "completed_at": True,
    },
    "quotes": {
        "number": True,
        "notes": True,
        "line_items": True,
        "line_costs": False,
        "totals": True,
        "expires_at": True,
    },
    "invoices": {
        "number": True,
        "line_items": True,
        "line_costs": False,
        "totals": True,
        "balance": True,
        "due_at": True,
        "payments": True,
    },
    "documents": {"title": True, "filename": True, "job_link": True},
    "photos": {"caption": True, "taken_at": True, "job_link": True},
}

ACTIONS: dict[str, bool] = {"approve_quotes": True, "pay_invoices": True, "request_service": True}

# What an action's pages must show: paying shows the amount to pay, which is the balance. A
# policy that switches an action on while hiding one of these is refused when it is saved
# or published (422, with the sentence below); one stored before this rule keeps the action
# off (``allows`` says False), so a page never shows what the policy hides.
ACTION_NEEDS: dict[str, tuple[tuple[str, str | None], ...]] = {
    "pay_invoices": (("invoices", None), ("invoices", "balance")),
}
ACTION_NEEDS_PROBLEM = {
    "pay_invoices": (
        "Online payment is switched on, but customers cannot see invoices or their balance, "
        "so they could not see what they are paying. Show invoice balances, or switch "
        "online payment off."
    ),
}

# Internal job statuses and the label customers see by default.
# "requested" is a service request from the portal the office has not yet accepted;
# "declined" one the office turned down (the customer sees the reason with it). "new" is a
# job the CRM pushed before scheduling it.
JOB_STATUSES: dict[str, str] = {
    "requested": "Requested",
    "new": "Requested",
    "scheduled": "Scheduled",
    "dispatched": "Technician on the way",
    "in_progress": "In progress",
    "on_hold": "On hold",
    "awaiting_parts": "Waiting for parts",
    "completed": "Completed",
    "invoiced": "Completed",
    "cancelled": "Cancelled",
    "declined": "Declined",
}
ACTIVE_JOB_STATUSES = frozenset(
    {"requested", "new", "scheduled", "dispatched", "in_progress", "on_hold", "awaiting_parts"}
)


class VisibilityPolicy(Request):
    """A complete policy. Missing entries take their defaults; unknown names are refused."""

    sections: dict[str, StrictBool] = Field(default_factory=lambda: dict.fromkeys(SECTIONS, True))
    fields: dict[str, dict[str, StrictBool]] = Field(
        default_factory=lambda: {s: dict(f) for s, f in FIELDS.items()}
    )
    actions: dict[str, StrictBool] = Field(default_factory=lambda: dict(ACTIONS))
    status_labels: dict[str, str] = Field(default_factory=lambda: dict(JOB_STATUSES))

    @model_validator(mode="after")
    def _known_names_and_defaults(self) -> VisibilityPolicy:
        unknown = [s for s in self.sections if s not in SECTIONS]
        if unknown:
            raise ValueError(f"Unknown section: {', '.join(sorted(unknown))}.")
        for section, fields in self.fields.items():
            if section not in FIELDS:
                raise ValueError(f"Unknown section in fields: {section}.")
            bad = [f for f in fields if f not in FIELDS[section]]
            if bad:
                raise ValueError(f"Unknown field of {section}: {', '.join(sorted(bad))}.")
        bad_actions = [a for a in self.actions if a not in ACTIONS]
        if bad_actions:
            raise ValueError(f"Unknown action: {', '.join(sorted(bad_actions))}.")
        bad_status = [s for s in self.status_labels if s not in JOB_STATUSES]
        if bad_status:
            raise ValueError(f"Unknown job status: {', '.join(sorted(bad_status))}.")
        for status, label in self.status_labels.items():
            if not label.strip() or len(label) > 60:
                raise ValueError(f"The label for '{status}' must be 1 to 60 characters.")
        # Fill what was left out so every stored policy is complete.
        self.sections = {s: self.sections.get(s, True) for s in SECTIONS}
        self.fields = {
            s: {f: self.fields.get(s, {}).get(f, d) for f, d in FIELDS[s].items()} for s in FIELDS
        }
        self.actions = {a: self.actions.get(a, d) for a, d in ACTIONS.items()}
        self.status_labels = {s: self.status_labels.get(s, d) for s, d in JOB_STATUSES.items()}
        return self

    def shows(self, section: str, field: str | None = None) -> bool:
        """Whether a section (and optionally one of its fields) is visible to customers."""
        if not self.sections.get(section, False):
            return False
        return field is None or self.fields[section][field]

    def allows(self, action: str) -> bool:
        """Whether a customer action is switched on (and its pages can show what it needs)."""
        if not self.actions.get(action, False):
            return False
        return all(self.shows(section, f) for section, f in ACTION_NEEDS.get(action, ()))

    def action_problems(self) -> dict[str, str]:
        """Actions switched on while the policy hides what their pages need, with why."""
        return {
            action: ACTION_NEEDS_PROBLEM[action]
            for action, needs in ACTION_NEEDS.items()
            if self.actions.get(action, False) and not all(self.shows(s, f) for s, f in needs)
        }

    def label(self, internal_status: str) -> str:
        """The customer-facing label of an internal job status."""
        return self.status_labels.get(internal_status, internal_status.replace("_", " ").title())


class VisibilityDoc(Response):
    """``GET /api/v1/visibility-policy``: the published policy and the draft, if any."""

    published: VisibilityPolicy
    draft: VisibilityPolicy | None
    version: int
