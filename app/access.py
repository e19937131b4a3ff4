"""The Access panel's calls to the staff API: invites, access actions, bulk invites, clean-up.

Each function is one request (or one chunked run) through ``ApiClient.request`` and answers the
decoded JSON. POSTs carry an ``Idempotency-Key`` so that a retry after a lost answer does not
send a second invite email.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from app.api_client import ApiClient
from app.errors import ApiError
from server.wire.permissions import Permission

BULK_CHUNK = 50

# action -> (path under /api/v1/contacts/{id}, what it is called in messages)
ACTIONS: dict[str, tuple[str, str]] = {
    "invite": ("portal-invite", "invite"),
    "resend": ("portal-invite/resend", "new invite"),
    "revoke": ("portal-invite/revoke", "invite revocation"),
    "disable": ("portal-access/disable", "disable"),
    "enable": ("portal-access/enable", "enable"),
    "reset": ("portal-access/reset-link", "reset link"),
    "unlock": ("portal-access/unlock", "unlock"),
}

# Which permission each action needs.
PERMISSIONS: dict[str, Permission] = {
    "invite": Permission.INVITE,
    "resend": Permission.INVITE,
    "revoke": Permission.INVITE,
    "disable": Permission.DISABLE,
    "enable": Permission.DISABLE,
    "reset": Permission.RESET,
    "unlock": Permission.UNLOCK,
}


def _idempotent() -> dict[str, str]:
    return {"Idempotency-Key": uuid.uuid4().hex}


async def customer_detail(api: ApiClient, customer_id: int) -> dict[str, Any]:
    """The customer with contacts, their portal accounts and addresses."""
    return await api.customer(customer_id)


async def customer_audit(
    api: ApiClient, customer_id: int, limit: int = 100
) -> list[dict[str, Any]]:
    """The newest access events of one customer and its contacts."""
    page = await api.get_json(
        f"/api/v1/customers/{int(customer_id)}/audit", params={"limit": limit}
    )
    return list(page.get("data", []))


async def access_action(
    api: ApiClient, action: str, contact_id: int, *, reason: str | None = None
) -> dict[str, Any]:
    """Run one access action on a contact; answers the server's JSON (account or invite)."""
    path, _ = ACTIONS[action]
    body = {"reason": reason} if action == "disable" else None
    response = await api.request(
        "POST", f"/api/v1/contacts/{int(contact_id)}/{path}", json=body, headers=_idempotent()
    )
    data: dict[str, Any] = response.json()
    return data


async def get_contact(api: ApiClient, contact_id: int) -> tuple[dict[str, Any], str]:
    """One contact and the ETag a later edit must send back."""
    response = await api.request("GET", f"/api/v1/contacts/{int(contact_id)}")
    return response.json(), response.headers.get("ETag", "")


async def patch_contact(
    api: ApiClient, contact_id: int, etag: str, changes: dict[str, Any]
) -> tuple[dict[str, Any], str]:
    """Edit a contact based on the version ``etag`` names (412 when someone changed it since)."""
    response = await api.request(
        "PATCH", f"/api/v1/contacts/{int(contact_id)}", json=changes, headers={"If-Match": etag}
    )
    return response.json(), response.headers.get("ETag", "")


async def email_hygiene(api: ApiClient, limit: int = 500) -> dict[str, Any]:
    """The email clean-up report: invalid, missing, duplicated and shared emails."""
    data: dict[str, Any] = await api.get_json("/api/v1/email-hygiene", params={"limit": limit})
    return data


async def bulk_invite_chunk(
    api: ApiClient, contact_ids: Sequence[int], *, dry_run: bool
) -> dict[str, Any]:
    """One request of a bulk invite (at most 5,000 contacts)."""
    response = await api.request(
        "POST",
        "/api/v1/portal-invites/bulk",
        json={"contact_ids": [int(c) for c in contact_ids], "dry_run": dry_run},
        headers=_idempotent(),
    )
    data: dict[str, Any] = response.json()
    return data


@dataclass
class BulkRun:
    """The outcome of a chunked bulk invite: every contact's result, and what was not done."""

    dry_run: bool
    results: list[dict[str, Any]] = field(default_factory=list)
    not_done: list[int] = field(default_factory=list)
    stopped: str | None = None
    cancelled: bool = False

    def cancel(self) -> None:
        """Stop before the next chunk; the chunk in flight finishes and is reported."""
        self.cancelled = True

    @property
    def counts(self) -> dict[str, int]:
        """How many contacts had each outcome."""
        out: dict[str, int] = {}
        for r in self.results:
            out[r["outcome"]] = out.get(r["outcome"], 0) + 1
        if self.not_done:
            out["not_done"] = len(self.not_done)
        return out


async def bulk_invite(
    api: ApiClient,
    contact_ids: Sequence[int],
    *,
    dry_run: bool,
    chunk: int = BULK_CHUNK,
    progress: Callable[[int, int], None] | None = None,
    run: BulkRun | None = None,
) -> BulkRun:
    """Invite contacts in chunks so that cancelling or losing the server stops between chunks.

    A chunk is one server transaction: it is either fully done or not at all. When the
    server cannot be reached the run stops and ``not_done`` lists every contact not invited.
    ``run.cancel()`` stops between chunks the same way, so nothing is left in doubt.
    """
    run = run if run is not None else BulkRun(dry_run)
    ids = list(dict.fromkeys(int(c) for c in contact_ids))
    done = 0
    try:
        for start in range(0, len(ids), chunk):
            if run.cancelled:
                run.not_done = ids[done:]
                run.stopped = "Cancelled before these were sent."
                return run
            part = ids[start : start + chunk]
            answer = await bulk_invite_chunk(api, part, dry_run=dry_run)
            run.results.extend(answer.get("results", []))
            done += len(part)
            if progress is not None:
                progress(done, len(ids))
    except ApiError as exc:
        run.not_done = ids[done:]
        run.stopped = exc.message
    except BaseException:
        # Cancelled mid-request (closing the console): the server may or may not have done
        # the chunk in flight, so say so rather than guess.
        run.not_done = ids[done:]
        run.stopped = "Interrupted; the last batch may or may not have been sent."
        raise
    return run
