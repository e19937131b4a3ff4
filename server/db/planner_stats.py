"""The query planner's statistics on SQLite, gathered at start and by the hourly housekeeping.

Without statistics SQLite picks among a table's indexes by their shape alone, and it can pick
badly. Measured on the benchmark's 100,000 customers: a customer's home page found their
waiting quotes through the index on (workspace, decider, customer), reading every quote of
the workspace, because its first column matched as well as the customer index's did: 2.9 ms
for the home page's statement instead of 0.05 ms once ``ANALYZE`` had counted the rows.

``ANALYZE`` under ``analysis_limit`` reads a sample of each index rather than all of it
(66 ms on a 375 MB database), so each worker refreshes the statistics when it starts, and
housekeeping again every hour as the data grows. PostgreSQL gathers its own (autovacuum).
"""

from __future__ import annotations

import logging

from sqlalchemy import Engine

log = logging.getLogger("server.db")

# Rows sampled per index (SQLite's recommended order of magnitude for a quick ANALYZE).
ANALYSIS_LIMIT = 1000


def refresh(engine: Engine) -> bool:
    """Gather the planner's statistics on SQLite (answers True); nothing elsewhere (False)."""
    if engine.dialect.name != "sqlite":
        return False
    with engine.connect() as conn:
        conn.exec_driver_sql(f"PRAGMA analysis_limit={ANALYSIS_LIMIT}")
        conn.exec_driver_sql("ANALYZE")
        conn.commit()
    return True
