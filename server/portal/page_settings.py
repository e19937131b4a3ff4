"""The branding and visibility policy a portal page uses, parsed once while unchanged.

Validating them from the workspace's JSON on every page was measurable. An entry is reused
only while the documents it was parsed from are still equal to the stored ones, so a publish
(or any other write, with or without a new version) shows on the very next request. The
parsed models are shared between requests: nothing may change them (edits copy them).
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

from server.db.models import Workspace
from server.domain.branding import draft_or_published_branding, published_branding
from server.domain.visibility import draft_or_published_policy, published_policy
from server.domain.visit_rows import VisitWorkspace
from server.wire.branding import Branding
from server.wire.visibility import VisibilityPolicy

_parsed: dict[tuple[int, str], tuple[object, Any]] = {}
_PARSED_MAX = 1024


def _memo[T](
    ws: Workspace | VisitWorkspace,
    which: str,
    made_from: object,
    parse: Callable[[Workspace | VisitWorkspace], T],
) -> T:
    key = (ws.id, which)
    hit = _parsed.get(key)
    if hit is not None and hit[0] == made_from:
        parsed: T = hit[1]
        return parsed
    value = parse(ws)
    if len(_parsed) >= _PARSED_MAX:
        _parsed.clear()
    _parsed[key] = (copy.deepcopy(made_from), value)
    return value


def page_branding(ws: Workspace | VisitWorkspace, *, draft: bool = False) -> Branding:
    """The branding a page shows: published, or (in a preview that asks) the draft."""
    # The defaults name the workspace, so its name is part of what the branding is made from.
    if draft:
        made_from = (ws.name, ws.branding, ws.branding_draft)
        return _memo(ws, "branding_draft", made_from, draft_or_published_branding)
    return _memo(ws, "branding", (ws.name, ws.branding), published_branding)


def page_policy(ws: Workspace | VisitWorkspace, *, draft: bool = False) -> VisibilityPolicy:
    """The visibility policy a page enforces: published, or (in a preview that asks) the draft."""
    if draft:
        made_from = (ws.visibility, ws.visibility_draft)
        return _memo(ws, "visibility_draft", made_from, draft_or_published_policy)
    return _memo(ws, "visibility", ws.visibility, published_policy)
