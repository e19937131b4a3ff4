"""Alembic environment: runs migrations on the connection handed over by server.db.migrate."""

from __future__ import annotations

from alembic import context

from server.db import models  # noqa: F401  (registers every table)
from server.db.base import Base
from server.db.search_index import install_search_index, is_search_object

connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError("Run migrations through 'portal-server migrate'.")

context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    render_as_batch=connection.dialect.name == "sqlite",
    compare_type=True,
    # The search indexes are dialect-specific and installed below, not by a migration.
    include_name=lambda name, _type, _parents: not is_search_object(name),
)
with context.begin_transaction():
    context.run_migrations()
    install_search_index(connection)
