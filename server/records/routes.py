"""CRM records intake: /api/v1/records."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(prefix="/records", tags=["records"])
