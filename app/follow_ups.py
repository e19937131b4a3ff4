"""The Follow-up panel's calls to the staff API: items, their changes, service-request
decisions and the mail outbox.

Each function is one request through ``ApiClient.request``. An item is changed against the
version the console last saw (``If-Match``); when someone else changed it first the server
answers 412 or 409 with the item as it now is, raised here as ``FollowUpClash`` carrying that
item and a plain sentence saying who did what ("Sam Carter took this at 10:02").
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from app.api_client import ApiClient
from app.errors import ApiError
from app.follow_up_text import clash_message
from server.wire.follow_up import AcceptRequest, AskRequest, DeclineRequest, FollowUpPatch

PATH = "/api/v1/follow-ups"


class FollowUpClash(ApiError):
    """Someone else changed the item first; ``current`` is the item as it now is."""

    def __init__(self, message: str, status: int, current: dict[str, Any]) -> None:
        super().__init__(message, status)
        self.current = current


def _idempotent() -> dict[str, str]:
    return {"Idempotency-Key": uuid.uuid4().hex}


async def get_item(api: ApiClient, item_id: int) -> dict[str, Any]:
    """One item as the server has it now."""
    data: dict[str, Any] = await api.get_json(f"{PATH}/{int(item_id)}")
    return data


async def counts(api: ApiClient) -> dict[str, Any]:
    """Open items per kind, all open, assigned to me, and unassigned."""
    data: dict[str, Any] = await api.get_json(f"{PATH}/counts")
    return data


async def patch_item(
    api: ApiClient, item: dict[str, Any], me_id: int | None = None, **changes: Any
) -> dict[str, Any]:
    """Change an item (assign, done with a note, reopen) against the version on screen.

    ``FollowUpClash`` when someone changed it first; its ``current`` is the item now.
    """
    body = FollowUpPatch(**changes).model_dump(mode="json", exclude_unset=True)
    try:
        response = await api.request(
            "PATCH",
            f"{PATH}/{int(item['id'])}",
            json=body,
            headers={"If-Match": f'"{int(item["version"])}"'},
        )
    except ApiError as exc:
        current = exc.body.get("current") if exc.status in (409, 412) else None
        if isinstance(current, dict):
            raise FollowUpClash(
                clash_message(current, exc.message, me_id), int(exc.status or 0), current
            ) from exc
        raise
    data: dict[str, Any] = response.json()
    return data


async def accept_request(
    api: ApiClient,
    request_id: int,
    start: datetime,
    end: datetime,
    technician: str | None,
    note: str | None = None,
) -> dict[str, Any]:
    """Accept a service request: schedule its job and name the technician."""
    body = AcceptRequest(
        scheduled_start=start, scheduled_end=end, technician_name=technician, note=note
    )
    return await _decide(api, request_id, "accept", body.model_dump(mode="json"))


async def ask_request(api: ApiClient, request_id: int, question: str) -> dict[str, Any]:
    """Ask the customer for more information (they see it on the portal and by email)."""
    return await _decide(api, request_id, "ask", {"question": question})


async def decline_request(api: ApiClient, request_id: int, reason: str) -> dict[str, Any]:
    """Decline a service request with a reason the customer sees."""
    return await _decide(api, request_id, "decline", {"reason": reason})


async def _decide(
    api: ApiClient, request_id: int, action: str, body: dict[str, Any]
) -> dict[str, Any]:
    response = await api.request(
        "POST",
        f"/api/v1/service-requests/{int(request_id)}/{action}",
        json=body,
        headers=_idempotent(),
    )
    data: dict[str, Any] = response.json()
    return data


def _limits(model: type[AskRequest | DeclineRequest], name: str) -> tuple[int, int]:
    meta = model.model_fields[name].metadata
    low = next(int(m.min_length) for m in meta if hasattr(m, "min_length"))
    high = next(int(m.max_length) for m in meta if hasattr(m, "max_length"))
    return low, high


# The wire's limits, checked in the dialogs too so they can say what is wrong before sending.
ASK_LIMITS = _limits(AskRequest, "question")
DECLINE_LIMITS = _limits(DeclineRequest, "reason")


# -- the mail outbox ---------------------------------------------------------------------------


async def outbox(
    api: ApiClient, status: str | None = None, cursor: str | None = None, limit: int = 100
) -> dict[str, Any]:
    """One page of the outbox, newest first: ``data``, ``count``, ``next_cursor``."""
    params: dict[str, Any] = {"limit": limit}
    if status:
        params["status"] = status
    if cursor:
        params["cursor"] = cursor
    data: dict[str, Any] = await api.get_json("/api/v1/outbox", params=params)
    return data


async def outbox_action(api: ApiClient, email_id: int, action: str) -> dict[str, Any]:
    """``retry`` or ``cancel`` one email; answers the email as it now is."""
    if action not in ("retry", "cancel"):
        raise ValueError(action)
    response = await api.request("POST", f"/api/v1/outbox/{int(email_id)}/{action}")
    data: dict[str, Any] = response.json()
    return data
