"""CRM records intake: /api/v1/records.

Each record is upserted with ``PUT /records/<kind>/{external_id}`` (JSON, or multipart for
documents and photos) and removed with ``DELETE``; ``POST /records/batch`` upserts many in
one transaction; ``GET /records/activity`` reads back what customers did. Upserts are
idempotent: sending the same body again writes nothing and adds no change to the feed.
"""

from __future__ import annotations

from server.prefixed_router import PrefixedRouter
from server.records import billing, customers, files, jobs, readback

# Included in the app beside the staff API, not inside it: a CRM write is then routed without
# trying every staff route first (twice: to choose the router, then to handle), and a staff
# request declines these at once by their prefix.
router = PrefixedRouter(prefix="/api/v1/records", tags=["records"])
for module in (customers, jobs, billing, files, readback):
    router.include_router(module.router)
