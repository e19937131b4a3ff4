"""Preview links asked for ahead of time, so switching to the next contact in the picker does
not wait for the server to make one.

A link works once, for ten minutes, and the server audits a preview only when its link is
opened, so a link asked for and never used costs a row that expires, nothing more.
"""

from __future__ import annotations

import time
from typing import Any

from app import previews
from app.errors import ApiError
from app.previews import PreviewOptions
from server.wire.previews import PreviewResponse

KEEP_S = 300.0  # well inside the link's ten minutes, so a kept link still opens
KEPT = 4  # links kept at most (the next contact, published and draft)


class LinkPrefetch:
    """Fresh preview links for options the panel is likely to open next."""

    def __init__(self, ctx: Any) -> None:
        self.ctx = ctx
        self.links: dict[PreviewOptions, tuple[float, PreviewResponse]] = {}

    def take(self, options: PreviewOptions) -> PreviewResponse | None:
        """The link kept for ``options`` (used once: it is forgotten), or None."""
        kept = self.links.pop(options, None)
        if kept is None or time.monotonic() - kept[0] > KEEP_S:
            return None
        return kept[1]

    def ask(self, wanted: list[PreviewOptions]) -> None:
        """Ask for links for ``wanted`` in the background (those not kept already)."""
        missing = [o for o in wanted if o not in self.links]
        if missing:
            self.ctx.ops.run(
                self._fetch(missing), label="Preparing the next preview", key="preview-prefetch"
            )

    async def _fetch(self, wanted: list[PreviewOptions]) -> None:
        for options in wanted:
            try:
                link = await previews.create_link(self.ctx.api, options)
            except ApiError:
                return  # asked for again when that contact is chosen, and explained then
            self.links[options] = (time.monotonic(), link)
            while len(self.links) > KEPT:
                self.links.pop(next(iter(self.links)))

    def forget(self) -> None:
        """Drop every kept link (another workspace, or the panel goes away)."""
        self.links.clear()
