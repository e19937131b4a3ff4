"""Portal pages for signing in and out, invites, forgotten passwords and password changes."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response
from starlette.background import BackgroundTask

from server.deps import DB, public_base_url
from server.domain import portal_auth, portal_links, reset_requests
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
    """Take the request and answer; the reset email (only for an active account) is made
    after the answer has gone, so the answer and its timing are the same for every email."""
    if "@" not in email:
        return render(
            request,
            "portal/forgot.html",
            public_context(request, ws),
            status=422,
            email=email,
            error="Type the email address you use to sign in.",
        )
    taken = reset_requests.take_request(
        db, ws, email, public_base_url(request), ip=client_ip(request)
    )
    response = render(request, "portal/forgot_sent.html", public_context(request, ws), email=email)
    if taken is not None:
        response.background = BackgroundTask(
            reset_requests.send_reset, request.app.state.sessionmaker, taken
        )
    return response


def _link_gone(
    request: Request, ws: PortalWorkspace, kind: str, *, office_told: bool = False
) -> Response:
    ctx = public_context(request, ws)
    return render(
        request, "portal/link_gone.html", ctx, status=410, kind=kind, office_told=office_told
    )


# An invite link and a reset link lead to the same "choose a password" page; only the token
# table, the landing page and the wording differ.
_LINK_KINDS = {
    "invite": (portal_links.find_invite, portal_links.accept_invite, "?welcome=1"),
    "reset": (portal_links.find_reset, portal_links.complete_reset, "?password_changed=1"),
}


def _password_page(
    request: Request, ws: PortalWorkspace, db: DB, kind: str, token: str, error: str | None = None
) -> Response:
    find, _, _ = _LINK_KINDS[kind]
    found = find(db, ws, token)
    if found is None:
        told = kind == "invite" and portal_links.note_expired_invite(db, ws, token)
        return _link_gone(request, ws, kind, office_told=told)
    _, account, contact = found
    return render(
        request,
        "portal/set_password.html",
        public_context(request, ws),
        status=200 if error is None else 422,
        kind=kind,
        contact_name=contact.name,
        email=account.email_normalized,
        error=error,
        action=f"/p/{ws.slug}/{kind}/{token}",
    )


def _set_password(
    request: Request,
    ws: PortalWorkspace,
    db: DB,
    kind: str,
    token: str,
    password: str,
    confirm: str,
) -> Response:
    _, complete, landing = _LINK_KINDS[kind]
    try:
        opened = complete(
            db,
            ws,
            token,
            password,
            confirm,
            ip=client_ip(request),
            user_agent=request.headers.get("user-agent"),
        )
    except Gone:
        return _link_gone(request, ws, kind)
    except Invalid as exc:
        return _password_page(request, ws, db, kind, token, exc.detail)
    return _signed_in(request, ws.slug, opened, f"/p/{ws.slug}/{landing}")


@router.get("/invite/{token}")
def invite_page(request: Request, ws: PortalWorkspace, db: DB, token: str) -> Response:
    """Choose a password from an invitation link."""
    return _password_page(request, ws, db, "invite", token)


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
    return _set_password(request, ws, db, "invite", token, password, confirm)


@router.get("/reset/{token}")
def reset_page(request: Request, ws: PortalWorkspace, db: DB, token: str) -> Response:
    """Choose a new password from a reset link."""
    return _password_page(request, ws, db, "reset", token)


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
    return _set_password(request, ws, db, "reset", token, password, confirm)


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
            session_id=ctx.session.id,
            ip=client_ip(request),
            user_agent=request.headers.get("user-agent"),
        )
    except TooManyRequests as exc:
        ctx_public = public_context(request, ctx.workspace)
        response = render(
            request,
            "portal/sign_in.html",
            ctx_public,
            status=exc.status_code,
            email="",
            error=exc.detail,
            next=_safe_next(ctx.workspace.slug, None),
        )
        response.delete_cookie(
            SESSION_COOKIE,
            path=ctx.base,
            httponly=True,
            samesite="lax",
            secure=not is_loopback_http(request),
        )
        return response
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
