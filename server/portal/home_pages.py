"""Home pages as sent, reused while everything they were rendered from is the same.

A customer who opens their home page again, with nothing changed, gets the same text: the
kept view (``HomeCache``) rendered with the same session, contact, customer, account,
workspace, branding and policy. On the event loop those are the very objects kept with the
session's rows (``VisitCache``) and the view; any change to one of them (a write for the
customer, new branding or policy, a new session) comes as a new object. So the rendered text
is reused only while each of them is the same object, compared by identity, and the notice
shown is the same; anything else renders afresh. Rendering was half of such a request's
time. Staff previews always render afresh.

Up to ``HOME_PAGES_KEPT`` pages per process, a customer's newest only: some 10-25 KB each.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from server.domain.kept import Kept
from server.domain.portal_view_models import HomeView
from server.portal.deps import SignedInContext

HOME_PAGES_KEPT = 512


class HomePages:
    """The newest rendered home page of up to ``size`` customers (least recently used
    dropped), with what it was rendered from."""

    def __init__(self, size: int = HOME_PAGES_KEPT) -> None:
        self._pages: Kept[tuple[int, int], tuple[tuple[Any, ...], str | None, bytes]] = Kept(size)

    def page(
        self, ctx: SignedInContext, view: HomeView, notice: str | None, render: Callable[[], str]
    ) -> bytes:
        """The page's body: the kept one when rendered from the same objects with the same
        notice, else ``render()`` (kept)."""
        if ctx.is_preview:
            return render().encode()
        made_from = _made_from(ctx, view)
        key = (ctx.workspace.id, ctx.customer.id)
        kept = self._pages.get(key)
        if (
            kept is not None
            and kept[1] == notice
            and all(a is b for a, b in zip(kept[0], made_from, strict=True))
        ):
            return kept[2]
        body = render().encode()
        self._pages.put(key, (made_from, notice, body))
        return body

    def __len__(self) -> int:
        return len(self._pages)


def _made_from(ctx: SignedInContext, view: HomeView) -> tuple[Any, ...]:
    # Every object the home template reads (``render_text``): the page is the same text
    # while each of them is the same object.
    return (
        view,
        ctx.workspace,
        ctx.branding,
        ctx.policy,
        ctx.account,
        ctx.contact,
        ctx.customer,
        ctx.session,
    )
