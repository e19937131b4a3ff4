"""Preview links and the contacts to preview as, for the console's Preview panel.

A preview link works once, for ten minutes, and opens a read-only session of an hour. The
panel asks for a fresh link whenever the one it used stops working (expired, used, or the
session ended), so the person never has to; ``with_next`` makes the fresh link open on the
page that was on screen.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import quote

from app.api_client import ApiClient
from server.wire.previews import PreviewRequest, PreviewResponse


@dataclass(frozen=True)
class PreviewOptions:
    """Whom to preview as and with which drafts."""

    contact_id: int
    draft_visibility: bool = False
    draft_branding: bool = False
    coming_soon: bool = False


@dataclass(frozen=True)
class Contact:
    """A contact to preview as, with their customer and whether they have portal access."""

    id: int
    name: str
    email: str | None
    customer_id: int
    customer_name: str
    portal_status: str | None

    @property
    def label(self) -> str:
        """How the picker lists them."""
        status = self.portal_status or "not invited yet"
        return f"{self.name} · {self.customer_name} ({status})"


async def create_link(api: ApiClient, options: PreviewOptions) -> PreviewResponse:
    """A fresh single-use preview link."""
    body = PreviewRequest(
        contact_id=options.contact_id,
        use_draft_visibility=options.draft_visibility,
        use_draft_branding=options.draft_branding,
        show_coming_soon=options.coming_soon,
    )
    response = await api.request("POST", "/api/v1/previews", json=body.model_dump())
    return PreviewResponse.model_validate(response.json())


def with_next(url: str, portal_path: str | None) -> str:
    """The link, opening on ``portal_path`` (a path under the portal such as ``/jobs/12``)."""
    if not portal_path or portal_path == "/":
        return url
    return f"{url}?next={quote(portal_path, safe='/')}"


def portal_path(url_path: str, slug: str) -> str | None:
    """The part of a portal address after ``/p/{slug}`` (None for another portal's)."""
    base = f"/p/{slug}"
    if url_path == base or not url_path.startswith(base + "/"):
        return None
    return url_path[len(base) :]


async def contacts_of(api: ApiClient, customer_id: int) -> list[Contact]:
    """Every contact of one customer (with or without portal access)."""
    return contacts_in(await api.customer(customer_id))


def contacts_in(customer: dict[str, object]) -> list[Contact]:
    """The contacts of a customer's detail (as ``GET /customers/{id}`` answers it)."""
    listed = customer.get("contacts")
    if not isinstance(listed, list):
        return []
    return [_contact(customer, c) for c in listed if isinstance(c, dict)]


def who_note(contact: Contact) -> str:
    """What the preview stands for when the contact cannot sign in today ("" when they can)."""
    if contact.portal_status is None:
        return (
            f"{contact.name} is not invited yet: this is what they will see once invited "
            "and signed in."
        )
    if contact.portal_status == "disabled":
        return (
            f"{contact.name}'s portal access is disabled: they cannot sign in, so today they "
            "see nothing. This is what they would see if it were enabled again."
        )
    return ""


async def search_customers(api: ApiClient, text: str, limit: int = 25) -> list[tuple[int, str]]:
    """(id, name and email) of the customers a search finds, as the Access panel searches."""
    page = await api.customers(q=text.strip() or None, limit=limit)
    out = []
    for row in page.get("data", []):
        email = row.get("primary_email")
        out.append((int(row["id"]), f"{row['name']}" + (f" · {email}" if email else "")))
    return out


def _contact(customer: dict[str, object], c: dict[str, object]) -> Contact:
    account = c.get("portal_account")
    status = account.get("status") if isinstance(account, dict) else None
    return Contact(
        id=int(c["id"]),  # type: ignore[call-overload]
        name=str(c.get("name") or ""),
        email=str(c["email"]) if c.get("email") else None,
        customer_id=int(customer["id"]),  # type: ignore[call-overload]
        customer_name=str(customer.get("name") or ""),
        portal_status=str(status) if status else None,
    )
