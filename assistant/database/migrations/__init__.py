"""Alembic migration scripts of the shared state's schema (`assistant.database.migrate` runs them)."""
