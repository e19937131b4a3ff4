"""How many files wait for a review: the sidebar's count, asked from the moment a workspace opens
(without the file review's wire models, which the console loads when the panel opens)."""

from __future__ import annotations

from app.api_client import ApiClient

PATH = "/api/v1/files"


async def pending_count(api: ApiClient) -> int:
    """How many documents and photos wait for a review (the sidebar's count)."""
    page = await api.get_json(PATH, params={"status": "pending", "limit": 1})
    return int(page["count"])
