"""Every table of the shared state, declared once with SQLAlchemy Core; the migrations build exactly this.

Times are ISO 8601 text in UTC (`2026-11-28T09:30:00+00:00`), so that "since" compares as text the same way in
SQLite and PostgreSQL; log-in deadlines are seconds since the epoch, since every server compares them with its
own clock.
"""

from __future__ import annotations

from sqlalchemy import (BigInteger, Column, Float, Index, Integer, LargeBinary, MetaData, String, Table, Text,
                        UniqueConstraint)

metadata = MetaData(naming_convention={
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "pk": "pk_%(table_name)s",
})

TIME = String(40)
NAME = String(64)

users = Table(
    "users", metadata,
    Column("name", NAME, primary_key=True),
    Column("salt", String(64), nullable=False),
    Column("hash", String(128), nullable=False),
    Column("iterations", Integer, nullable=False),
    Column("clearance", NAME, nullable=False),
    Column("role", String(16), nullable=False),
    Column("updated_at", TIME, nullable=False),
)

answers = Table(
    "answers", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("time", TIME, nullable=False),
    Column("username", NAME, nullable=False),
    Column("clearance", NAME, nullable=False),
    Column("question", Text, nullable=False),
    Column("history", Text, nullable=False),
    Column("standalone_query", Text, nullable=False),
    Column("filter", Text, nullable=False),
    Column("retrieved", Text, nullable=False),
    Column("mode", String(32), nullable=False),
    Column("model", String(200), nullable=False),
    Column("prompt_version", String(64), nullable=False),
    Column("answer", Text, nullable=False),
    Column("refused", Integer, nullable=False),
    Column("citations", Text, nullable=False),
    Column("verification", Text, nullable=False),
    Column("server", String(200), nullable=False, server_default=""),
    Index(None, "username", "time"),
    sqlite_autoincrement=True,
)
"""One row per answer given (UI, CLI, API); `server` names the process that answered (host:port)."""

library_changes = Table(
    "library_changes", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("time", TIME, nullable=False),
    Column("username", NAME, nullable=False),
    Column("action", String(16), nullable=False),
    Column("source", Text, nullable=False),
    Column("detail", Text, nullable=False),
    Column("server", String(200), nullable=False, server_default=""),
    sqlite_autoincrement=True,
)
"""Who uploaded, replaced or removed which document, and when."""

feedback = Table(
    "feedback", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("time", TIME, nullable=False),
    Column("username", NAME, nullable=False, server_default=""),
    Column("vote", String(16), nullable=False),
    Column("comment", Text, nullable=False),
    Column("answer", Text, nullable=False),
    sqlite_autoincrement=True,
)
"""Thumbs up or down, or a comment, stored with the answer it is about (its `ask --json` form)."""

uploads = Table(
    "uploads", metadata,
    Column("id", String(32), primary_key=True),
    Column("source", Text, nullable=False),
    Column("name", String(255), nullable=False),
    Column("data", LargeBinary, nullable=False),
    Column("size", BigInteger, nullable=False),
    Column("sha256", String(64), nullable=False),
    Column("classification", NAME, nullable=False),
    Column("uploaded_by", NAME, nullable=False),
    Column("uploaded_at", TIME, nullable=False),
    UniqueConstraint("source"),
)
"""Documents uploaded through the app: the original bytes of the current version and who uploaded it. The
index names each `uploads/<id>/<name>`; any server can read, replace or remove it."""

login_failures = Table(
    "login_failures", metadata,
    Column("key", String(400), primary_key=True),
    Column("failures", Integer, nullable=False),
    Column("blocked_until", Float, nullable=False),
)
"""Failed log-ins per account at an address, and per address, counted by every server together."""

login_sessions = Table(
    "login_sessions", metadata,
    Column("token", String(64), primary_key=True),
    Column("username", NAME, nullable=False),
    Column("created", Float, nullable=False),
    Index(None, "username"),
)
"""Who a session cookie signs in, so that any server behind the proxy accepts it."""

deployment = Table(
    "deployment", metadata,
    Column("key", String(64), primary_key=True),
    Column("value", Text, nullable=False),
)
"""Values all servers must agree on, made once (the session cookie's name)."""

legacy_imports = Table(
    "legacy_imports", metadata,
    Column("sha256", String(64), primary_key=True),
    Column("kind", String(16), nullable=False),
    Column("path", Text, nullable=False),
    Column("rows", Integer, nullable=False),
    Column("time", TIME, nullable=False),
)
"""Files of the state root imported once (users.json, audit.sqlite3, feedback.jsonl), by their content's hash."""

library_versions = Table(
    "library_versions", metadata,
    Column("collection", String(200), primary_key=True),
    Column("version", BigInteger, nullable=False),
    Column("epoch", String(32), nullable=False),
)
"""The change counter of each collection: raised, in one transaction with its `library_events`, after every
change to the collection's documents. `epoch` is made with the row: a lexical index built against another
database (or a counter made anew) is rebuilt, never patched."""

library_events = Table(
    "library_events", metadata,
    Column("collection", String(200), primary_key=True),
    Column("version", BigInteger, primary_key=True),
    Column("source", Text, primary_key=True),
)
"""The documents each version of the counter changed (added, replaced or removed)."""
