"""Customer portal pages under /p/{slug}/: every portal router in one place."""

from __future__ import annotations

from fastapi import APIRouter, Depends

from server.api.prefixed_router import PrefixedRouter
from server.portal import (
    assets,
    auth,
    files,
    pages,
    payment_webhooks,
    payments,
    preview,
    quotes,
    requests,
)
from server.portal.deps import portal_workspace

# Every page checks the workspace first: unknown slugs are 404, closed portals show coming soon.
guarded = APIRouter(dependencies=[Depends(portal_workspace)])
# Pages first: routes are tried in order, and the home page is the one opened most.
for module in (pages, auth, quotes, files, requests, payments):
    guarded.include_router(module.router)

router = PrefixedRouter(prefix="/p/{slug}", include_in_schema=False)
router.include_router(assets.router)
router.include_router(preview.router)
# Provider webhooks keep working while a portal is switched back to coming soon: a payment
# the provider already took must still be recorded.
router.include_router(payment_webhooks.router)
router.include_router(guarded)
