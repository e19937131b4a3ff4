"""Home page views kept between requests while nothing they show has changed.

The home page is the page customers open most, and its queries (quotes waiting, invoices
due, active jobs) cost more than the rest of the request together. A built ``HomeView`` is
reused for the same customer while three things hold:

- the customer's change stamp is the same (``portal_visits``: every write to a job, quote,
  invoice, address or policy records a change naming its customer, or none for what every
  customer sees, in its own transaction; so an unchanged stamp means the rows the view was
  built from are unchanged, and a write for another customer keeps this view);
- the page enforces the same visibility policy object (a new policy is a new object);
- the clock has not reached ``HomeView.turns_at`` (a waiting quote expiring, an invoice
  falling overdue).

The session check and the page's rendering still happen on every request; only the view
model is shared. Staff previews always build afresh (their policy may be a draft). Views are
shared between requests and threads: nothing may change them once built.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from server.db.base import utcnow
from server.domain.kept import Kept
from server.domain.portal_view_models import HomeView, Scope
from server.wire.visibility import VisibilityPolicy

HOME_VIEWS_KEPT = 512


class Viewer(Protocol):
    """Who a home page is for: the signed-in customer's page context."""

    @property
    def scope(self) -> Scope: ...  # whose data, under which policy

    @property
    def is_preview(self) -> bool: ...  # a staff preview (never kept)

    @property
    def changes_seq(self) -> int: ...  # the customer's change stamp when the request began


@dataclass(frozen=True)
class _Entry:
    changes_seq: int
    policy: VisibilityPolicy
    view: HomeView


class HomeCache:
    """The newest ``HomeView`` of up to ``size`` customers, least recently used dropped."""

    def __init__(self, size: int = HOME_VIEWS_KEPT) -> None:
        self._entries: Kept[tuple[int, int], _Entry] = Kept(size)

    def current(self, ctx: Viewer) -> HomeView | None:
        """The customer's kept view when still current, else None."""
        if ctx.is_preview:
            return None
        scope = ctx.scope
        entry = self._entries.get((scope.workspace_id, scope.customer_id))
        return entry.view if entry is not None and self._current(entry, ctx) else None

    def view(self, ctx: Viewer, build: Callable[[], HomeView]) -> HomeView:
        """The customer's kept view when still current, else ``build()`` (and keep it)."""
        kept = self.current(ctx)
        if kept is not None:
            return kept
        return self.keep(ctx, build())

    def keep(self, ctx: Viewer, view: HomeView) -> HomeView:
        """Keep ``view``, built for ``ctx`` from rows read after its change stamp was (a
        preview's is never kept); answers it."""
        if not ctx.is_preview:
            scope = ctx.scope
            entry = _Entry(ctx.changes_seq, scope.policy, view)
            self._entries.put((scope.workspace_id, scope.customer_id), entry)
        return view

    @staticmethod
    def _current(entry: _Entry, ctx: Viewer) -> bool:
        turns_at = entry.view.turns_at
        return (
            entry.changes_seq == ctx.changes_seq
            and entry.policy is ctx.scope.policy
            and (turns_at is None or utcnow() < turns_at)
        )

    def __len__(self) -> int:
        return len(self._entries)
