"""A service request's photos in the detail pane: small pictures read from the server.

The photos are held for review until shared, so only someone who may review files sees them;
anyone else sees where they can be looked at.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from PySide6.QtGui import QPixmap

from app import file_review
from app.errors import ApiError
from server.wire.permissions import Permission
from ui.panels.files.thumbnails import thumbnail

if TYPE_CHECKING:
    from ui.panels.follow_up import FollowUpPanel

MAX_PHOTOS = 4


def show_photos(panel: FollowUpPanel, item: Mapping[str, Any]) -> None:
    """Show the first photos of a service request item (nothing for other kinds)."""
    ids = list((item.get("details") or {}).get("photo_ids") or [])[:MAX_PHOTOS]
    if item.get("kind") != "service_request" or not ids:
        return
    if not panel.ctx.session.can(Permission.REVIEW_FILES):
        panel.detail.set_photos(["Photo: File review shows it"] * len(ids))
        return
    panel.ctx.ops.run(
        _photos(panel, int(item["id"]), ids), label="Loading photos", key="follow-up-photos"
    )


async def _photos(panel: FollowUpPanel, item_id: int, ids: list[int]) -> None:
    pictures: list[QPixmap | str] = []
    for photo_id in ids:
        try:
            data = await file_review.content(panel.ctx.api, "photo", photo_id)
        except ApiError:
            pictures.append("Photo not available")
            continue
        image = await asyncio.to_thread(thumbnail, data, "image/jpeg")
        pictures.append("Photo not readable" if image is None else QPixmap.fromImage(image))
    if panel.shown_id == item_id:  # still the item on screen
        panel.detail.set_photos(pictures)
