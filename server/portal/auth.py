"""Portal pages for signing in and out, invites, forgotten passwords and password changes."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from server.api.deps import DB
from server.domain import portal_auth, portal_links
from server.domain.errors import Gone, Invalid, TooManyRequests, Unauthorized
from server.domain.portal_sessions import OpenSession, end_session
from server.portal.deps import (
    SESSION_COOKIE,
    Customer,
    CustomerForm,
    PortalWorkspace,
    PublicForm,
    client_ip,
    is_loopback_http,
)
from server.portal.render import public_context, render

router = APIRouter()
Text = Annotated[str, Form(max_length=400)]
Password = Annotated[str, Form(max_length=1000)]


def _signed_in(request: Request, slug: str, opened: OpenSession, target: str) -> Response:
    """Redirect into the portal with the new session's cookie (rotated on every sign-in)."""
    response = RedirectResponse(target, status_code=303)
    response.set_cookie(
        SESSION_COOKIE,
        opened.token,
        path=f"/p/{slug}",
        httponly=True,
        samesite="lax",
        secure=not is_loopback_http(request),
    )
    return response


def _safe_next(slug: str, value: str | None) -> str:
    base = f"/p/{slug}/"
    if value and value.startswith(base) and "//" not in value and "\\" not in value:
        return value
    return base


def _base_url(request: Request) -> str:
    configured: str | None = request.app.state.settings.public_base_url
    return configured or str(request.base_url)


@router.get("/sign-in")
def sign_in_page(request: Request, ws: PortalWorkspace, next: str | None = None) -> Response:
    """The sign-in form."""
    ctx = public_context(request, ws)
    return render(
        request, "portal/sign_in.html", ctx, email="", error=None, next=_safe_next(ws.slug, next)
    )


@router.post("/sign-in")
def sign_in(
    request: Request,
    ws: PortalWorkspace,
    db: DB,
    _: PublicForm,
    email: Text = "",
    password: Password = "",
    next: Text = "",
) -> Response:
    """Check the email and password; the same answer for every kind of failure."""
    try:
        opened = portal_auth.sign_in(
            db,
            ws,
            email,
            password,
            ip=client_ip(request),
            user_agent=request.headers.get("user-agent"),
        )
    except (Unauthorized, TooManyRequests) as exc:
        ctx = public_context(request, ws)
        return render(
            request,
            "portal/sign_in.html",
            ctx,
            status=exc.status_code,
            email=email,
            error=exc.detail,
            next=_safe_next(ws.slug, next),
        )
    return _signed_in(request, ws.slug, opened, _safe_next(ws.slug, next))


@router.post("/sign-out")
def sign_out(request: Request, ctx: CustomerForm, db: DB) -> Response:
    """End this session and show the sign-in page."""
    end_session(db, ctx.session.id)
    db.commit()
    response = RedirectResponse(f"{ctx.base}/sign-in?signed_out=1", status_code=303)
    response.delete_cookie(
        SESSION_COOKIE,
        path=ctx.base,
        httponly=True,
        samesite="lax",
        secure=not is_loopback_http(request),
    )
    return response


@router.get("/forgot")
def forgot_page(request: Request, ws: PortalWorkspace) -> Response:
    """Ask for a reset link."""
    return render(request, "portal/forgot.html", public_context(request, ws), email="")


@router.post("/forgot")
def forgot(
    request: Request, ws: PortalWorkspace, db: DB, _: PublicForm, email: Text = ""
) -> Response:
    """Queue a reset email if the address has an account; the answer is the same either way."""
    if "@" not in email:
        return render(
            request,
            "portal/forgot.html",
            public_context(request, ws),
            status=422,
            email=email,
            error="Type the email address you use to sign in.",
        )
    portal_links.request_reset(db, ws, email, _base_url(request), ip=client_ip(request))
    return render(request, "portal/forgot_sent.html", public_context(request, ws), email=email)


def _link_gone(request: Request, ws: PortalWorkspace, kind: str) -> Response:
    ctx = public_context(request, ws)
    return render(request, "portal/link_gone.html", ctx, status=410, kind=kind)


@router.get("/invite/{token}")
def invite_page(request: Request, ws: PortalWorkspace, db: DB, token: str) -> Response:
    """Choose a password from an invitation link."""
    found = portal_links.find_invite(db, ws, token)
    if found is None:
        return _link_gone(request, ws, "invite")
    _, account, contact = found
    return render(
        request,
        "portal/set_password.html",
        public_context(request, ws),
        kind="invite",
        contact_name=contact.name,
        email=account.email_normalized,
        error=None,
        action=f"/p/{ws.slug}/invite/{token}",
    )


@router.post("/invite/{token}")
def accept_invite(
    request: Request,
    ws: PortalWorkspace,
    db: DB,
    _: PublicForm,
    token: str,
    password: Password = "",
    confirm: Password = "",
) -> Response:
    """Set the first password and sign in."""
    try:
        opened = portal_links.accept_invite(
            db,
            ws,
            token,
            password,
            confirm,
            ip=client_ip(request),
            user_agent=request.headers.get("user-agent"),
        )
    except Gone:
        return _link_gone(request, ws, "invite")
    except Invalid as exc:
        found = portal_links.find_invite(db, ws, token)
        if found is None:
            return _link_gone(request, ws, "invite")
        return render(
            request,
            "portal/set_password.html",
            public_context(request, ws),
            status=422,
            kind="invite",
            contact_name=found[2].name,
            email=found[1].email_normalized,
            error=exc.detail,
            action=f"/p/{ws.slug}/invite/{token}",
        )
    return _signed_in(request, ws.slug, opened, f"/p/{ws.slug}/?welcome=1")


@router.get("/reset/{token}")
def reset_page(request: Request, ws: PortalWorkspace, db: DB, token: str) -> Response:
    """Choose a new password from a reset link."""
    found = portal_links.find_reset(db, ws, token)
    if found is None:
        return _link_gone(request, ws, "reset")
    _, account, contact = found
    return render(
        request,
        "portal/set_password.html",
        public_context(request, ws),
        kind="reset",
        contact_name=contact.name,
        email=account.email_normalized,
        error=None,
        action=f"/p/{ws.slug}/reset/{token}",
    )


@router.post("/reset/{token}")
def reset(
    request: Request,
    ws: PortalWorkspace,
    db: DB,
    _: PublicForm,
    token: str,
    password: Password = "",
    confirm: Password = "",
) -> Response:
    """Store the new password, end every other session, and sign in."""
    try:
        opened = portal_links.complete_reset(
            db,
            ws,
            token,
            password,
            confirm,
            ip=client_ip(request),
            user_agent=request.headers.get("user-agent"),
        )
    except Gone:
        return _link_gone(request, ws, "reset")
    except Invalid as exc:
        found = portal_links.find_reset(db, ws, token)
        if found is None:
            return _link_gone(request, ws, "reset")
        return render(
            request,
            "portal/set_password.html",
            public_context(request, ws),
            status=422,
            kind="reset",
            contact_name=found[2].name,
            email=found[1].email_normalized,
            error=exc.detail,
            action=f"/p/{ws.slug}/reset/{token}",
        )
    return _signed_in(request, ws.slug, opened, f"/p/{ws.slug}/?password_changed=1")


@router.get("/account/password")
def password_page(request: Request, ctx: Customer) -> Response:
    """Change the password while signed in."""
    return render(request, "portal/change_password.html", ctx, error=None, nav="account")


@router.post("/account/password")
def change_password(
    request: Request,
    ctx: CustomerForm,
    db: DB,
    current: Password = "",
    password: Password = "",
    confirm: Password = "",
) -> Response:
    """Change the password: every other session of the account ends."""
    try:
        opened = portal_links.change_password(
            db,
            ctx.account,
            current,
            password,
            confirm,
            contact=ctx.contact,
            ip=client_ip(request),
            user_agent=request.headers.get("user-agent"),
        )
    except (Unauthorized, Invalid) as exc:
        return render(
            request,
            "portal/change_password.html",
            ctx,
            status=422,
            error=exc.detail,
            nav="account",
        )
    return _signed_in(request, ctx.workspace.slug, opened, f"{ctx.base}/?password_changed=1")
