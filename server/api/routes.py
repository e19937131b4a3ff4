"""The staff API under /api/v1: every router in one list (the CRM's records, under
/api/v1/records, are included beside it: ``server.records.routes``)."""

from __future__ import annotations

from server.api import (
    access,
    audit,
    auth,
    bulk,
    changes,
    customers,
    files,
    follow_up,
    hygiene,
    mail,
    previews,
    rollout,
    service_requests,
    team,
    workspace,
)
from server.prefixed_router import PrefixedRouter

api_router = PrefixedRouter(prefix="/api/v1")
for module in (
    auth,
    customers,
    access,
    bulk,
    hygiene,
    audit,
    workspace,
    team,
    changes,
    mail,
    previews,
    rollout,
    files,
    follow_up,
    service_requests,
):
    api_router.include_router(module.router)
