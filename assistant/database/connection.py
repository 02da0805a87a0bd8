"""Opening the database: the SQLite file under the state root by default, or the server `BRIEFING_DATABASE_URL`
names; its schema brought up to date (the SQLite default) or checked (a shared server, migrated by
`briefing db upgrade`).

The SQLite file is private (600, in a 700 state root) and runs in WAL mode with a busy timeout, so that `briefing
serve` and a `briefing ingest` beside it share it. One engine per URL per process: engines pool connections
and are safe to share between threads.
"""

from __future__ import annotations

import datetime as dt
import os
import socket
import threading
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Connection, Engine, Table, create_engine, event
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import make_url

from assistant.config.settings import Settings
from assistant.database import migrate

BUSY_TIMEOUT_S = 30


class DatabaseError(ValueError):
    """The database cannot be used as it is (unreachable, or its schema is not this version's); the message says
    what to do."""


def now() -> str:
    """The time as the tables store it."""
    return dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")


def server_name(configured: str = "") -> str:
    """Which process wrote a row: the configured name (`BRIEFING_SERVER_NAME`), else host and process id."""
    return configured or f"{socket.gethostname()}:{os.getpid()}"


def _private_file(path: Path) -> None:
    """Create the SQLite file (and its folder) readable by this account only, before SQLite opens it."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    descriptor = os.open(path, os.O_CREAT | os.O_RDWR, 0o600)
    os.close(descriptor)
    os.chmod(path, 0o600)


def _sqlite_pragmas(connection, _record) -> None:
    cursor = connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_S * 1000}")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


@dataclass(frozen=True)
class Database:
    """An engine on the shared state's database, schema current."""

    engine: Engine

    @property
    def is_sqlite(self) -> bool:
        return self.engine.dialect.name == "sqlite"

    @property
    def shown_url(self) -> str:
        """The URL with its password hidden, for messages."""
        return self.engine.url.render_as_string(hide_password=True)

    def begin(self):
        """A transaction: `with db.begin() as connection: ...` commits at the end, rolls back on error."""
        return self.engine.begin()

    def connect(self):
        return self.engine.connect()

    def insert(self, table: Table):
        """An INSERT that can say `on_conflict_do_update` / `on_conflict_do_nothing` in this database's dialect."""
        return (sqlite.insert if self.is_sqlite else postgresql.insert)(table)

    def upsert(self, connection: Connection, table: Table, values: dict, keys: list[str], update: list[str]):
        """Insert `values`, or update the `update` columns of the row with the same `keys`."""
        statement = self.insert(table).values(**values)
        return connection.execute(statement.on_conflict_do_update(
            index_elements=keys, set_={name: statement.excluded[name] for name in update}))


_ENGINES: dict[str, Database] = {}
_LOCK = threading.Lock()


def database_url(settings: Settings) -> str:
    return settings.database_url or f"sqlite:///{settings.database_file}"


def engine_for(url: str) -> Engine:
    """An engine on `url`; the SQLite file made private and set up for several processes."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            _private_file(Path(parsed.database))
        engine = create_engine(url, connect_args={"timeout": BUSY_TIMEOUT_S, "check_same_thread": False})
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    return create_engine(url, pool_pre_ping=True, pool_size=8, max_overflow=16)


def _engine(url: str) -> Database:
    try:
        return _ENGINES.get(url) or Database(engine_for(url))
    except Exception as exc:  # noqa: BLE001 - a bad URL or a missing driver is one clear line
        raise DatabaseError(f"cannot use the database {_hidden(url)}: {exc}") from None


def _clear(database: Database, exc: Exception) -> DatabaseError:
    if isinstance(exc, migrate.SchemaBehind):
        return DatabaseError(str(exc))
    reason = str(exc).splitlines()[0] if str(exc) else exc.__class__.__name__
    return DatabaseError(f"cannot use the database {database.shown_url}: {reason}")


def upgrade_database(settings: Settings) -> tuple[Database, str | None, str]:
    """Create or migrate the schema of `settings`' database to this version's: (database, revision before,
    revision after)."""
    url = database_url(settings)
    with _LOCK:
        database = _engine(url)
        try:
            before, after = migrate.upgrade(database.engine)
        except Exception as exc:  # noqa: BLE001 - unreachable server, wrong password: one clear line
            raise _clear(database, exc) from None
        _ENGINES[url] = database
        return database, before, after


def open_database(settings: Settings) -> Database:
    """The database of `settings`, its schema current: the embedded SQLite file is migrated on the spot; a shared
    database is migrated by `briefing db upgrade`, once, and a server that finds it behind refuses to start with
    a clear error (two servers of different versions must not migrate it under each other)."""
    url = database_url(settings)
    with _LOCK:
        if url in _ENGINES:
            return _ENGINES[url]
        database = _engine(url)
    if database.is_sqlite:
        return upgrade_database(settings)[0]
    try:
        migrate.check_current(database.engine, database.shown_url)
    except Exception as exc:  # noqa: BLE001 - unreachable server, wrong password: one clear line
        raise _clear(database, exc) from None
    with _LOCK:
        return _ENGINES.setdefault(url, database)


def _hidden(url: str) -> str:
    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:  # noqa: BLE001 - not even a URL
        return "(BRIEFING_DATABASE_URL)"
