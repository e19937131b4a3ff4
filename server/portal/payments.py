"""Portal payment pages: pay an invoice, checkout, receipt, provider webhooks."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter()
