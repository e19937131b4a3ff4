"""Portal pages rendered with a branding that is not published yet, for the Branding panel.

The same templates and page shell as the live pages, so the panel shows what customers will
see: only the branding differs from what the public page would render now.
"""

from __future__ import annotations

from server.db.models import Workspace
from server.portal.render import PublicContext, render_text
from server.wire.branding import Branding

# The form token is not a secret here (no form can be posted from a preview) but the page
# shell needs one.
PREVIEW_FORM_TOKEN = "preview-no-form-posts-from-here"  # noqa: S105 (not a secret)


def render_page(ws: Workspace, branding: Branding, page: str) -> str:
    """The sign-in page or the coming-soon page (it holds the office's contact card)."""
    ctx = PublicContext(workspace=ws, branding=branding, csrf_token=PREVIEW_FORM_TOKEN)
    if page == "coming_soon":
        return render_text("portal/coming_soon.html", ctx)
    return render_text("portal/sign_in.html", ctx, email="", error=None, next=f"/p/{ws.slug}/")
