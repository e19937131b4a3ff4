"""The Branding panel's calls to the staff API and the rules it checks while the owner types.

Field checks use the server's own wire model (``server.wire.branding.Branding``), so the
panel says exactly what the server would refuse, before anything is sent.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError

from app.api_client import ApiClient
from server.wire.branding import Branding

# Field -> the label the panel and the change lists use.
LABELS: dict[str, str] = {
    "brand_name": "Brand name",
    "logo_file_id": "Logo",
    "primary_color": "Main colour",
    "accent_color": "Accent colour",
    "phone": "Phone",
    "email": "Email",
    "address": "Address",
    "hours": "Opening hours",
    "website": "Website",
    "invite_subject": "Invite email subject",
    "invite_message": "Invite email wording",
    "reset_subject": "Password reset email subject",
    "reset_message": "Password reset email wording",
    "receipt_subject": "Receipt email subject",
    "receipt_message": "Receipt email wording",
}


@dataclass(frozen=True)
class BrandingState:
    """What the server holds: published branding, draft (or None), and the ETag to send back."""

    published: dict[str, Any]
    draft: dict[str, Any] | None
    etag: str

    @property
    def editing(self) -> dict[str, Any]:
        """What the form starts from: the draft when there is one, else the published branding."""
        return dict(self.draft if self.draft is not None else self.published)


def _state(response: Any) -> BrandingState:
    body = response.json()
    return BrandingState(body["published"], body.get("draft"), response.headers.get("ETag", ""))


def field_problems(values: dict[str, Any]) -> dict[str, str]:
    """Per-field messages for a branding as typed (empty when the server would accept it)."""
    try:
        Branding.model_validate(values)
    except ValidationError as exc:
        out: dict[str, str] = {}
        for err in exc.errors():
            field = str(err["loc"][0]) if err.get("loc") else "brand_name"
            message = str(err.get("msg", "Not accepted.")).removeprefix("Value error, ")
            if err.get("type") == "string_too_short" and field == "brand_name":
                message = "Customers need a name to recognise you by."
            elif err.get("type") == "string_too_short":
                message = "This cannot be empty."
            elif err.get("type") == "string_too_long":
                limit = (err.get("ctx") or {}).get("max_length")
                message = f"Keep this under {limit} characters."
            out.setdefault(field, message[:1].upper() + message[1:])
        return out
    return {}


def normalised(values: dict[str, Any]) -> dict[str, Any]:
    """The branding as the server will store it (colours lower-cased, empty fields None)."""
    return Branding.model_validate(values).model_dump(mode="json")


def changes(before: dict[str, Any], after: dict[str, Any]) -> list[tuple[str, Any, Any]]:
    """``(label, before, after)`` for every field that differs, in the form's order."""
    out = []
    for field, label in LABELS.items():
        old, new = before.get(field), after.get(field)
        if (old or None) != (new or None):
            out.append((label, old, new))
    return out


def reapply(mine: dict[str, Any], base: dict[str, Any], theirs: dict[str, Any]) -> dict[str, Any]:
    """My edits (what differs from the version I started from) on top of the newer version."""
    merged = dict(theirs)
    for field in LABELS:
        if (mine.get(field) or None) != (base.get(field) or None):
            merged[field] = mine.get(field)
    return merged


async def load(api: ApiClient) -> BrandingState:
    """The published branding and the draft."""
    return _state(await api.request("GET", "/api/v1/branding"))


async def save_draft(api: ApiClient, etag: str, values: dict[str, Any]) -> BrandingState:
    """Replace the draft (412 when someone changed the branding since ``etag``)."""
    response = await api.request(
        "PUT", "/api/v1/branding/draft", json=values, headers={"If-Match": etag}
    )
    return _state(response)


async def publish(api: ApiClient, etag: str) -> BrandingState:
    """Make the draft what customers see."""
    return _state(await api.request("POST", "/api/v1/branding/publish", headers={"If-Match": etag}))


async def discard(api: ApiClient, etag: str) -> BrandingState:
    """Throw the draft away."""
    return _state(await api.request("DELETE", "/api/v1/branding/draft", headers={"If-Match": etag}))


async def upload_logo(api: ApiClient, etag: str, data: bytes, content_type: str) -> BrandingState:
    """Upload a PNG, JPEG or WebP logo into the draft."""
    extension = content_type.rsplit("/", 1)[-1]
    response = await api.request(
        "POST",
        "/api/v1/branding/logo",
        files={"file": (f"logo.{extension}", data, content_type)},
        headers={"If-Match": etag},
    )
    return _state(response)


async def logo_bytes(api: ApiClient, file_id: int) -> bytes:
    """A logo of the published branding or the draft."""
    return (await api.request("GET", f"/api/v1/branding/logo/{int(file_id)}")).content


async def preview_page(api: ApiClient, values: dict[str, Any], page: str) -> str:
    """The server's rendering of a portal page (``sign_in`` or ``coming_soon``) with ``values``."""
    response = await api.request(
        "POST", "/api/v1/branding/preview", json={"branding": values, "page": page}
    )
    return response.text


async def preview_email(api: ApiClient, kind: str, values: dict[str, Any]) -> dict[str, Any]:
    """The ``kind`` email exactly as it would be sent with ``values``: subject, text, HTML."""
    response = await api.request(
        "POST", "/api/v1/branding/emails/preview", json={"kind": kind, "branding": values}
    )
    data: dict[str, Any] = response.json()
    return data


async def send_test_email(api: ApiClient, kind: str, values: dict[str, Any]) -> dict[str, Any]:
    """Send the ``kind`` email to the signed-in staff member through the outbox."""
    response = await api.request(
        "POST", "/api/v1/branding/emails/test", json={"kind": kind, "branding": values}
    )
    data: dict[str, Any] = response.json()
    return data
