"""Preview links for the console's Preview panel."""

from __future__ import annotations

from datetime import datetime

from pydantic import StrictBool

from server.wire.base import Request, Response, RowId


class PreviewRequest(Request):
    """``POST /api/v1/previews``: whom to preview as, and whether to use the drafts."""

    contact_id: RowId
    use_draft_visibility: StrictBool = False
    use_draft_branding: StrictBool = False
    # While the portal is not live: the coming-soon page customers get today, not the portal.
    show_coming_soon: StrictBool = False


class PreviewResponse(Response):
    """The link to open (once, before ``expires_at``); the preview then lasts an hour."""

    url: str
    expires_at: datetime
