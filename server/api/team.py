"""Staff API: team."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(tags=["team"])
