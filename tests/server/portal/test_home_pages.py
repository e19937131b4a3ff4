"""A rendered home page is reused only while everything it was rendered from is the same
object, with the same notice; anything new renders afresh, and previews always do."""

from __future__ import annotations

from dataclasses import replace
from types import SimpleNamespace
from typing import Any

from server.domain.portal_view_models import HomeView
from server.portal.deps import SignedInContext
from server.portal.home_pages import HomePages


def _ctx(**changes: Any) -> SignedInContext:
    base = SignedInContext(
        workspace=SimpleNamespace(id=1, slug="acme"),  # type: ignore[arg-type]
        branding=SimpleNamespace(),  # type: ignore[arg-type]
        policy=SimpleNamespace(),  # type: ignore[arg-type]
        account=SimpleNamespace(),  # type: ignore[arg-type]
        contact=SimpleNamespace(),  # type: ignore[arg-type]
        customer=SimpleNamespace(id=7),  # type: ignore[arg-type]
        session=SimpleNamespace(),  # type: ignore[arg-type]
        is_preview=False,
        csrf_token="t",
    )
    return replace(base, **changes)


class Renders:
    """A render that counts its calls and says which call made the text."""

    def __init__(self) -> None:
        self.calls = 0

    def __call__(self) -> str:
        self.calls += 1
        return f"page {self.calls}"


def test_the_same_objects_and_notice_reuse_the_page() -> None:
    pages, render, view, ctx = HomePages(), Renders(), HomeView([], [], []), _ctx()
    assert pages.page(ctx, view, None, render) == b"page 1"
    # A new context per request, made from the same kept objects: the same page.
    assert pages.page(replace(ctx, ip="10.0.0.9"), view, None, render) == b"page 1"
    assert render.calls == 1


def test_anything_new_renders_afresh() -> None:
    pages, render, view, ctx = HomePages(), Renders(), HomeView([], [], []), _ctx()
    pages.page(ctx, view, None, render)
    assert pages.page(ctx, HomeView([], [], []), None, render) == b"page 2"  # new view
    view = HomeView([], [], [])
    pages.page(ctx, view, None, render)
    for field in ("workspace", "branding", "policy", "account", "contact", "customer", "session"):
        fresh = SimpleNamespace(**vars(getattr(ctx, field)))  # equal, but another object
        ctx = replace(ctx, **{field: fresh})
        before = render.calls
        pages.page(ctx, view, None, render)
        assert render.calls == before + 1, field
    before = render.calls
    pages.page(ctx, view, "Your new password is saved.", render)  # another notice
    assert render.calls == before + 1


def test_previews_always_render_and_are_not_kept() -> None:
    pages, render, view = HomePages(), Renders(), HomeView([], [], [])
    preview = _ctx(is_preview=True)
    pages.page(preview, view, None, render)
    pages.page(preview, view, None, render)
    assert render.calls == 2 and len(pages) == 0


def test_customers_have_their_own_pages_and_the_oldest_is_dropped() -> None:
    pages, render, view = HomePages(size=2), Renders(), HomeView([], [], [])
    contexts = [_ctx(customer=SimpleNamespace(id=n)) for n in (1, 2, 3)]
    assert [pages.page(c, view, None, render) for c in contexts] == [
        b"page 1",
        b"page 2",
        b"page 3",
    ]
    assert len(pages) == 2
    assert pages.page(contexts[2], view, None, render) == b"page 3"
    assert pages.page(contexts[0], view, None, render) == b"page 4"  # dropped, rendered again
