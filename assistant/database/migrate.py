"""Alembic migrations, run from code: no alembic.ini, the scripts ship inside the package."""

from __future__ import annotations

import fcntl
import logging
import os
from contextlib import contextmanager
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, text

SCRIPTS = "assistant.database:migrations"
ADVISORY_LOCK = 724_301
"""PostgreSQL advisory lock held while migrating, so that two servers upgrading at once migrate once."""


class SchemaBehind(Exception):
    """The database's schema is older (or newer) than this version's."""


def _config(connection=None) -> Config:
    config = Config()
    config.set_main_option("script_location", SCRIPTS)
    if connection is not None:
        config.attributes["connection"] = connection
    return config


def head() -> str:
    """The revision this version of the code needs."""
    return ScriptDirectory.from_config(_config()).get_current_head()


def current(engine: Engine) -> str | None:
    """The database's revision (None: never migrated)."""
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


@contextmanager
def _sqlite_lock(engine: Engine):
    """A lock file beside a SQLite database while it is migrated (SQLite runs DDL outside transactions)."""
    path = Path(engine.url.database or "") if engine.dialect.name == "sqlite" else None
    if path is None or not engine.url.database or engine.url.database == ":memory:":
        yield
        return
    descriptor = os.open(path.with_name(path.name + ".migrating"), os.O_CREAT | os.O_RDWR, 0o600)
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX)
        yield
    finally:
        os.close(descriptor)


def upgrade(engine: Engine, quiet: bool = True) -> tuple[str | None, str]:
    """Bring the schema to this version's: (revision before, revision after). Safe to run from several processes
    at once: one migrates, the others find it done."""
    before = current(engine)
    if before == head():
        return before, before
    level = logging.getLogger("alembic").level
    if quiet:
        logging.getLogger("alembic").setLevel(logging.WARNING)
    try:
        with _sqlite_lock(engine), engine.begin() as connection:
            if engine.dialect.name == "postgresql":
                connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": ADVISORY_LOCK})
            command.upgrade(_config(connection), "head")  # from the revision it finds, once the lock is held
    finally:
        logging.getLogger("alembic").setLevel(level)
    return before, current(engine)


def check_current(engine: Engine, shown_url: str) -> None:
    """Raise SchemaBehind unless the database is at this version's revision."""
    found, needed = current(engine), head()
    if found != needed:
        state = "has no schema yet" if found is None else f"is at schema revision {found}"
        raise SchemaBehind(f"the database {shown_url} {state}; this version needs {needed}: run `briefing db upgrade`"
                           " once, from any one server")
