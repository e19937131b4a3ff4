"""Customer portal pages under /p/{slug}/."""

from __future__ import annotations

from fastapi import APIRouter

from server.portal import payments

router = APIRouter(prefix="/p/{slug}", include_in_schema=False)
router.include_router(payments.router)
