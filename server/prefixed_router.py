"""A router that declines paths outside its prefix without trying each of its routes."""

from __future__ import annotations

from fastapi import APIRouter
from starlette._utils import get_route_path
from starlette.routing import Match
from starlette.types import Scope


class PrefixedRouter(APIRouter):
    """An ``APIRouter`` whose ``matches`` answers "no" at once for a path outside its prefix.

    FastAPI matches an included router by trying every route in it (once to choose, once to
    handle), so each portal page walked every staff API route first, and each staff request
    every portal route. The literal part of the prefix (up to its first ``{``) settles it.
    """

    def matches(self, scope: Scope) -> tuple[Match, Scope]:
        """No match for paths outside the prefix; otherwise FastAPI's own matching."""
        literal = self.prefix.partition("{")[0]
        if literal and not get_route_path(scope).startswith(literal):
            return Match.NONE, {}
        return super().matches(scope)
