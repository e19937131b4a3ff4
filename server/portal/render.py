"""Rendering portal pages: one Jinja2 environment, the page shell, and the response headers.

Templates are named ``*.html`` so autoescaping is always on: brand names, job notes and file
names from staff or the CRM can never become markup. The page shell carries nothing
session-specific except the CSRF token, so a staff preview renders the same bytes as the
contact's own page.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, Protocol

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import (
    Environment,
    FileSystemLoader,
    StrictUndefined,
    pass_context,
    select_autoescape,
)
from jinja2.runtime import Context

from server.db.models import Workspace
from server.domain.branding import published_branding
from server.domain.local_formats import format_amount, format_day, format_when
from server.domain.secrets import new_token
from server.domain.visit_rows import VisitWorkspace
from server.portal.deps import FORM_COOKIE, is_loopback_http
from server.portal.static_files import static_url
from server.portal.theme import THEME_VERSION
from server.wire.branding import Branding
from server.wire.visibility import VisibilityPolicy

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"

# connect-src 'self': the page's own scripts may fetch from this server only. Audit tools
# (Lighthouse) read /robots.txt from inside the page, and could not under 'none'.
CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
    "font-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; "
    "base-uri 'none'"
)
PAGE_HEADERS = {
    "content-security-policy": CSP,
    "cache-control": "no-store",
    # Not no-referrer: with it, browsers send "Origin: null" on form posts and the Origin
    # check could not tell our own forms from another site's. Other sites still get nothing.
    "referrer-policy": "same-origin",
}


@pass_context
def money(context: Context, cents: int | None, currency: str | None = None) -> str:
    """Cents as an amount people read in the workspace's locale: ``$1,234.50``."""
    ws = context["ws"]
    return format_amount(cents, currency or ws.currency or "USD", ws)


@pass_context
def day(context: Context, value: datetime | None) -> str:
    """A date in the workspace's locale and time zone: ``Tue, March 3, 2026``."""
    return format_day(value, context["ws"])


@pass_context
def when(context: Context, value: datetime | None) -> str:
    """A date and time in the business's local time: ``Tue, March 3, 2026, 2:05 PM``; for a
    signed-in contact whose own zone differs, with the business's zone named after it."""
    contact = getattr(context.get("ctx"), "contact", None)
    return format_when(value, context["ws"], getattr(contact, "time_zone", None))


_env = Environment(
    loader=FileSystemLoader(TEMPLATES),
    autoescape=select_autoescape(["html"]),
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
    # Templates only change with a new release. Checking them for changes meant a stat()
    # of every template file on each render, once per card on a page of 50 jobs.
    auto_reload=False,
)
_env.filters.update(money=money, day=day, when=when)
_env.globals["static_url"] = static_url


def compile_pages() -> int:
    """Compile every page template now (a worker's start-up, before it answers): the first
    request of each page would otherwise pay for it, some 10-50 ms a page on a busy machine,
    and a rolling restart makes every worker new. Answers how many were compiled."""
    names = _env.list_templates(filter_func=lambda name: not name.startswith("email/"))
    for name in names:
        _env.get_template(name)
    return len(names)


class PageContext(Protocol):
    """What every page needs: the workspace, its branding, and the form token."""

    @property
    def workspace(self) -> Workspace | VisitWorkspace: ...  # as loaded or as plain row

    @property
    def branding(self) -> Branding: ...

    @property
    def csrf_token(self) -> str: ...


@dataclass
class PublicContext:
    """A page shown before sign-in (sign in, invite, reset, coming soon, errors)."""

    workspace: Workspace
    branding: Branding
    csrf_token: str
    new_form_cookie: bool = False
    policy: VisibilityPolicy | None = None
    is_preview: bool = False

    @property
    def base(self) -> str:
        """The portal's path prefix."""
        return f"/p/{self.workspace.slug}"


def public_context(request: Request, workspace: Workspace) -> PublicContext:
    """The context of a signed-out page; reuses the browser's form token when it has one."""
    token = request.cookies.get(FORM_COOKIE, "")
    fresh = not (20 <= len(token) <= 100)
    return PublicContext(
        workspace=workspace,
        branding=published_branding(workspace),
        csrf_token=new_token() if fresh else token,
        new_form_cookie=fresh,
    )


def theme_path(slug: str, branding: Branding) -> str:
    """The stylesheet holding the brand colours (its address names them and the version of
    the code that writes it: cacheable for good)."""
    colours = f"{branding.primary_color[1:]}-{branding.accent_color[1:]}"
    return f"/p/{slug}/theme/{colours}.css?v={THEME_VERSION}"


def render_text(template: str, ctx: PageContext, **values: Any) -> str:
    """Render a page to text: the body a browser (or the preview) receives."""
    signed_in = hasattr(ctx, "contact")
    return _env.get_template(template).render(
        ctx=ctx,
        ws=ctx.workspace,
        brand=ctx.branding,
        base=f"/p/{ctx.workspace.slug}",
        theme=theme_path(ctx.workspace.slug, ctx.branding),
        policy=getattr(ctx, "policy", None),
        signed_in=signed_in,
        csrf_token=ctx.csrf_token,
        **values,
    )


def render(
    request: Request, template: str, ctx: PageContext, *, status: int = 200, **values: Any
) -> HTMLResponse:
    """Render a template into an HTML answer with the portal's security headers."""
    response = HTMLResponse(render_text(template, ctx, **values), status, headers=PAGE_HEADERS)
    if isinstance(ctx, PublicContext) and ctx.new_form_cookie:
        response.set_cookie(
            FORM_COOKIE,
            ctx.csrf_token,
            path=f"/p/{ctx.workspace.slug}",
            httponly=True,
            samesite="lax",
            secure=not is_loopback_http(request),
        )
    return response
