"""Customer portal pages under /p/{slug}/: every portal router in one place."""

from __future__ import annotations

from fastapi import APIRouter, Depends

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
from server.prefixed_router import PrefixedRouter

# Every page checks the workspace first: unknown slugs are 404, closed portals show coming soon.
guarded = APIRouter(dependencies=[Depends(portal_workspace)])
for module in (auth, quotes, files, requests, payments):
    guarded.include_router(module.router)

router = PrefixedRouter(prefix="/p/{slug}", include_in_schema=False)
# Pages first: routes are tried in order, and the home page is the one opened most. They do
# the guard's checks themselves, in the same trip to a worker thread as the page.
router.include_router(pages.router)
router.include_router(assets.router)
router.include_router(preview.router)
# Provider webhooks keep working while a portal is switched back to coming soon: a payment
# the provider already took must still be recorded.
router.include_router(payment_webhooks.router)
router.include_router(guarded)
