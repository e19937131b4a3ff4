"""The page where an invited staff member chooses their own password (``/staff/join/{token}``).

Not part of any workspace's customer portal: the link comes from the Team panel. The form
is protected like the portal's signed-out forms: an Origin check and a double-submit token.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy import select

from server.db.models import StaffUser, Workspace
from server.deps import DB, public_base_url
from server.domain import staff_invites
from server.domain.errors import Forbidden, Gone, Invalid
from server.domain.secrets import new_token, same
from server.portal.deps import CSRF_FIELD, check_origin, is_loopback_http
from server.portal.render import PAGE_HEADERS, _env

router = APIRouter(prefix="/staff", include_in_schema=False)

COOKIE = "tb_staff_form"
Password = Annotated[str, Form(max_length=1024)]


def _page(request: Request, status: int = 200, **values: Any) -> HTMLResponse:
    token = request.cookies.get(COOKIE, "")
    fresh = not (20 <= len(token) <= 100)
    token = new_token() if fresh else token
    body = _env.get_template("staff/join.html").render(csrf_token=token, **values)
    response = HTMLResponse(body, status, headers=PAGE_HEADERS)
    if fresh:
        response.set_cookie(
            COOKIE,
            token,
            path="/staff",
            httponly=True,
            samesite="lax",
            secure=not is_loopback_http(request),
        )
    return response


def _form(request: Request, db: DB, token: str, error: str | None = None) -> HTMLResponse:
    found = staff_invites.find(db, token)
    if found is None:
        return _page(
            request, 410, title="This link no longer works", state="gone", workspace_name=None
        )
    invite, user, ws = found
    inviter = None
    if invite.sent_by_id:
        inviter = db.scalar(select(StaffUser.name).where(StaffUser.id == invite.sent_by_id))
    return _page(
        request,
        200 if error is None else 422,
        title=f"Join {ws.name}",
        state="form",
        workspace_name=ws.name,
        inviter=inviter or "A colleague",
        role=user.role,
        email=user.email,
        error=error,
        action=f"/staff/join/{token}",
    )


async def _verify(request: Request) -> None:
    check_origin(request)
    form = await request.form()
    sent = form.get(CSRF_FIELD)
    cookie = request.cookies.get(COOKIE, "")
    if not cookie or not isinstance(sent, str) or not same(sent, cookie):
        raise Forbidden(
            "This form has expired, so nothing was changed. Go back, reload the page and try again."
        )


@router.get("/join/{token}")
def join_page(request: Request, db: DB, token: str) -> Response:
    """Choose a password from a staff invitation link."""
    return _form(request, db, token)


@router.post("/join/{token}", dependencies=[Depends(_verify)])
def join(
    request: Request, db: DB, token: str, password: Password = "", confirm: Password = ""
) -> Response:
    """Set the password; the member can then sign in to the console."""
    try:
        user = staff_invites.accept(db, token, password, confirm)
    except Gone:
        return _form(request, db, token)
    except Invalid as exc:
        db.rollback()
        return _form(request, db, token, exc.detail)
    ws = db.get(Workspace, user.workspace_id)
    return _page(
        request,
        title="Your password is set",
        state="done",
        workspace_name=ws.name if ws else None,
        email=user.email,
        server_url=public_base_url(request),
    )
