"""Preview links for the console's Preview panel."""

from __future__ import annotations

from datetime import datetime

from pydantic import Field

from server.wire.base import Request, Response


class PreviewRequest(Request):
    """``POST /api/v1/previews``: whom to preview as, and whether to use the drafts."""

    contact_id: int = Field(ge=1, le=2**63 - 1)
    use_draft_visibility: bool = False
    use_draft_branding: bool = False
    # While the portal is not live: the coming-soon page customers get today, not the portal.
    show_coming_soon: bool = False


class PreviewResponse(Response):
    """The link to open (once, before ``expires_at``); the preview then lasts an hour."""

    url: str
    expires_at: datetime
