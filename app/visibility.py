"""The visibility policy from the console: read, save the draft, check exposure, publish or
discard, each with the ETag rules of ``/api/v1/visibility-policy``.

A policy is handled as the wire model (``VisibilityPolicy``); a switch is named as in
``server.wire.visibility_text`` (``jobs.address``, ``section.photos``, ``action.pay_invoices``,
``status.scheduled``) and read or written with ``switch_value`` and ``with_switch``. When the
server answers 412, ``StaleDraft`` carries what is there now and which switches the other
person changed, so the editor can re-apply this person's edits on top.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from app.api_client import ApiClient
from app.errors import ApiError
from server.wire.visibility import VisibilityDoc, VisibilityPolicy
from server.wire.visibility_exposure import ExposureReport
from server.wire.visibility_text import all_switches

PATH = "/api/v1/visibility-policy"
Value = bool | str


@dataclass(frozen=True)
class PolicyState:
    """The document as the server has it, and the ETag a change must send back."""

    doc: VisibilityDoc
    etag: str

    @property
    def working(self) -> VisibilityPolicy:
        """What the editor starts from: the draft, or the published policy when none."""
        return self.doc.draft if self.doc.draft is not None else self.doc.published


class StaleDraft(ApiError):
    """Someone else changed the policy since it was read (412).

    ``current`` is what the server has now; ``theirs`` names the switches they changed
    (compared with what this editor started from).
    """

    def __init__(self, current: PolicyState, theirs: list[str]) -> None:
        super().__init__(
            "Someone else changed the visibility policy while you were editing. "
            "Their changes are shown below; re-apply yours on top to keep both.",
            412,
        )
        self.current = current
        self.theirs = theirs


def switch_value(policy: VisibilityPolicy, switch: str) -> Value:
    """The value of one switch in a policy."""
    head, _, name = switch.partition(".")
    if head == "section":
        return policy.sections[name]
    if head == "action":
        return policy.actions[name]
    if head == "status":
        return policy.status_labels[name]
    return policy.fields[head][name]


def with_switch(policy: VisibilityPolicy, switch: str, value: Value) -> VisibilityPolicy:
    """A copy of ``policy`` with one switch set (validated like the server validates)."""
    data: dict[str, Any] = policy.model_dump(mode="json")
    head, _, name = switch.partition(".")
    if head == "section":
        data["sections"][name] = bool(value)
    elif head == "action":
        data["actions"][name] = bool(value)
    elif head == "status":
        data["status_labels"][name] = str(value)
    else:
        data["fields"][head][name] = bool(value)
    return VisibilityPolicy.model_validate(data)


def differences(a: VisibilityPolicy, b: VisibilityPolicy) -> list[str]:
    """The switches whose values differ between two policies, in the editor's order."""
    return [s for s in all_switches() if switch_value(a, s) != switch_value(b, s)]


def reapply(
    base: VisibilityPolicy, mine: VisibilityPolicy, onto: VisibilityPolicy
) -> VisibilityPolicy:
    """``onto`` with this person's edits (what ``mine`` changed from ``base``) applied."""
    result = onto
    for switch in differences(base, mine):
        result = with_switch(result, switch, switch_value(mine, switch))
    return result


async def load(api: ApiClient) -> PolicyState:
    """The published policy, the draft and the ETag."""
    response = await api.request("GET", PATH)
    return PolicyState(VisibilityDoc.model_validate(response.json()), response.headers["ETag"])


async def _write(
    api: ApiClient, method: str, path: str, state: PolicyState, body: Any = None
) -> PolicyState:
    try:
        response = await api.request(method, path, json=body, headers={"If-Match": state.etag})
    except ApiError as exc:
        if exc.status != 412:
            raise
        now = await load(api)
        raise StaleDraft(now, differences(state.working, now.working)) from exc
    return PolicyState(VisibilityDoc.model_validate(response.json()), response.headers["ETag"])


async def save_draft(api: ApiClient, state: PolicyState, policy: VisibilityPolicy) -> PolicyState:
    """Save ``policy`` as the draft, based on the version ``state`` names."""
    return await _write(api, "PUT", f"{PATH}/draft", state, policy.model_dump(mode="json"))


async def publish(api: ApiClient, state: PolicyState) -> PolicyState:
    """Make the saved draft what customers are held to."""
    return await _write(api, "POST", f"{PATH}/publish", state)


async def discard(api: ApiClient, state: PolicyState) -> PolicyState:
    """Throw the saved draft away."""
    return await _write(api, "DELETE", f"{PATH}/draft", state)


async def exposure(api: ApiClient, policy: VisibilityPolicy | None = None) -> ExposureReport:
    """What publishing ``policy`` (the saved draft when None) would change for customers."""
    body = {"policy": policy.model_dump(mode="json") if policy is not None else None}
    response = await api.request("POST", f"{PATH}/exposure", json=body)
    return ExposureReport.model_validate(response.json())
