"""Customer portal pages under /p/{slug}/."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(prefix="/p/{slug}", include_in_schema=False)
