"""Database layer: engine, SQLAlchemy models and migrations support."""
