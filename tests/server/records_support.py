"""Helpers shared by the records, changes and idempotency tests."""

from __future__ import annotations

import io
from typing import Any

import httpx
from PIL import Image


def customer_body(name: str = "Hannah Okafor", **extra: Any) -> dict[str, Any]:
    """A customer with one address."""
    body: dict[str, Any] = {
        "name": name,
        "kind": "household",
        "phone": "(503) 555-0142",
        "addresses": [{"line1": "12 Alder St", "city": "Portland", "postcode": "97201"}],
    }
    body.update(extra)
    return body


def contact_body(
    customer: str, email: str | None = "hannah@example.com", **extra: Any
) -> dict[str, Any]:
    """A contact of ``customer``."""
    body: dict[str, Any] = {
        "customer_external_id": customer,
        "name": "Hannah Okafor",
        "email": email,
        "is_primary": True,
    }
    body.update(extra)
    return body


def put(client: httpx.Client, kind: str, external_id: str, body: dict[str, Any]) -> httpx.Response:
    """PUT a record and return the answer."""
    return client.put(f"/api/v1/records/{kind}/{external_id}", json=body)


def changes(client: httpx.Client, since: int | str = 0, limit: int = 5000) -> dict[str, Any]:
    """One page of the changes feed (asserting it answered 200)."""
    r = client.get("/api/v1/changes", params={"since": since, "limit": limit})
    assert r.status_code == 200, r.text
    body: dict[str, Any] = r.json()
    return body


def png_bytes(size: tuple[int, int] = (8, 6), color: str = "red") -> bytes:
    """A small real PNG."""
    out = io.BytesIO()
    Image.new("RGB", size, color).save(out, "PNG")
    return out.getvalue()


PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
