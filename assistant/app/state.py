"""The shared state's database as the application opens it: schema current, and the files earlier versions kept
under the state root imported once (`legacy_import`)."""

from __future__ import annotations

from assistant.app.legacy_import import import_legacy_files
from assistant.config.settings import Settings
from assistant.database.connection import Database, open_database, upgrade_database


def open_state(settings: Settings) -> Database:
    """The database of `settings` (see `assistant.database.connection.open_database`), legacy files imported."""
    database = open_database(settings)
    import_legacy_files(database, settings.home)
    return database


def upgrade_state(settings: Settings) -> tuple[Database, str | None, str]:
    """`briefing db upgrade`: the schema migrated to this version's, then legacy files imported: (database,
    revision before, revision after)."""
    database, before, after = upgrade_database(settings)
    import_legacy_files(database, settings.home)
    return database, before, after
