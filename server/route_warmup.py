"""FastAPI's per-route state, built when the server starts instead of by its first request.

FastAPI (0.16x) prepares each route of an included router (its dependencies, body and
response models) the first time a request is matched against that router. With every staff
API route behind one router, the first staff request after a start paid for all of them:
about 0.7 s on a busy machine, so the console's first Rollout checklist took that much
longer. Walking the routers once at start-up, before the server answers, does the same work
before anyone waits for it (the server's first request paid it anyway).
"""

from __future__ import annotations

import logging

from fastapi import FastAPI

log = logging.getLogger(__name__)


def warm_routes(app: FastAPI) -> int:
    """Prepare every included router's routes now; answers how many routers were prepared.

    Uses FastAPI's own lazily built list (``effective_candidates``); a FastAPI without it
    has nothing to prepare, and this answers 0.
    """
    stack = list(app.router.routes)
    prepared = 0
    while stack:
        route = stack.pop()
        candidates = getattr(route, "effective_candidates", None)
        if callable(candidates):
            stack.extend(candidates())
            prepared += 1
    if not prepared:
        log.info("FastAPI prepares no routes lazily: nothing to warm")
    return prepared
