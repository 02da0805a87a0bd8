"""The library's change counter: every change to a collection's documents is announced, with the documents
it touched, in one transaction; a server reads the counter before it searches, and brings its lexical index up
to date when, and only when, the counter has moved.

The counter is one row per collection, raised with `UPDATE ... RETURNING` (its row lock orders concurrent
writers, so versions become visible in the order they were given and none is skipped). A writer changes the
vectors first and announces after, so a reader that sees a version finds its changes in the store.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import and_, delete, func, insert, select, update

from assistant.database.connection import Database
from assistant.database.schema import library_events, library_versions

KEPT_VERSIONS = 10_000
"""Versions whose documents are kept; a server further behind rebuilds its index whole."""


@dataclass(frozen=True)
class Position:
    """Where a collection's change counter stands: `epoch` names the counter, `version` counts its changes."""

    epoch: str = ""
    version: int = 0


class LibraryLog:
    """The change counter of one collection."""

    def __init__(self, database: Database, collection: str):
        self.database = database
        self.collection = collection

    def position(self) -> Position:
        with self.database.connect() as connection:
            row = connection.execute(select(library_versions.c.epoch, library_versions.c.version).where(
                library_versions.c.collection == self.collection)).first()
        return Position(row.epoch, int(row.version)) if row else Position()

    def announce(self, sources: Iterable[str]) -> Position:
        """Record that `sources` changed (call after the change is in the store); returns the new position."""
        sources = sorted(set(sources))
        if not sources:
            return self.position()
        with self.database.begin() as connection:
            connection.execute(self.database.insert(library_versions).values(
                collection=self.collection, version=0, epoch=secrets.token_hex(8)).on_conflict_do_nothing())
            row = connection.execute(update(library_versions).where(library_versions.c.collection == self.collection)
                                     .values(version=library_versions.c.version + 1)
                                     .returning(library_versions.c.epoch, library_versions.c.version)).one()
            version = int(row.version)
            connection.execute(insert(library_events), [
                {"collection": self.collection, "version": version, "source": source} for source in sources])
            connection.execute(delete(library_events).where(and_(
                library_events.c.collection == self.collection, library_events.c.version <= version - KEPT_VERSIONS)))
        return Position(row.epoch, version)

    def changed_between(self, start: Position, end: Position) -> set[str] | None:
        """The documents changed after `start` up to `end`; None when the log no longer reaches back to `start`, or
        `start` is of another counter: rebuild whole. (Before its first change a counter has no epoch yet: that
        start leads to any epoch.)"""
        if start.epoch not in (end.epoch, "") or (start.epoch == "" and start.version != 0) or start.version > end.version:
            return None
        if start.version == end.version:
            return set()
        window = and_(library_events.c.collection == self.collection, library_events.c.version > start.version,
                      library_events.c.version <= end.version)
        with self.database.connect() as connection:
            versions = connection.execute(select(func.count(func.distinct(library_events.c.version))).where(window)).scalar()
            if versions != end.version - start.version:
                return None
            return set(connection.execute(select(library_events.c.source).where(window).distinct()).scalars())
