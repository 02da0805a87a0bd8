"""The one-time import of the files earlier versions kept under the state root: `users.json`, `audit.sqlite3`
(answers and library changes) and `feedback.jsonl`.

Each file is imported in one transaction with a row naming it by its content's hash, then renamed to
`<name>.imported` (kept: nothing is deleted). A file whose hash was imported before (the rename was
interrupted, or the same file sits on two servers) is only renamed. Nothing is lost:
- users: every user of the file, unless the database already has one of that name (that one is kept, and the
  file's record stays in the renamed file; a warning names the user);
- answers and library changes: every row, every field, in their order (numbered anew by the database);
- feedback: every line, each with its time, vote, comment and answer; a line that is not JSON is stored as a
  comment holding the line, with vote `comment`, so even it is kept.
"""

from __future__ import annotations

import hashlib
import json
import logging
import sqlite3
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import insert, select

from assistant.app.access import DEFAULT_ROLE
from assistant.database.connection import Database, now
from assistant.database.schema import answers, feedback, legacy_imports, library_changes, users

LOG = logging.getLogger(__name__)
IMPORTED_SUFFIX = ".imported"
ANSWER_COLUMNS = ("time", "clearance", "question", "history", "standalone_query", "filter", "retrieved", "mode", "model",
                  "prompt_version", "answer", "refused", "citations", "verification")


@dataclass
class ImportReport:
    imported: dict[str, int] = field(default_factory=dict)
    """File name → rows imported from it."""
    skipped_users: list[str] = field(default_factory=list)
    """Users of users.json the database already had (kept as they were in the database)."""

    def lines(self) -> list[str]:
        lines = [f"imported {rows} rows from {name} (kept as {name}{IMPORTED_SUFFIX})" for name, rows in self.imported.items()]
        lines += [f"user {name} of users.json not imported: the database already has a user {name}"
                  for name in self.skipped_users]
        return lines


def _users(path: Path, report: ImportReport, connection, database: Database) -> int:
    records = json.loads(path.read_text(encoding="utf-8"))
    existing = set(connection.execute(select(users.c.name)).scalars())
    count = 0
    for name, record in records.items():
        if name in existing:
            report.skipped_users.append(name)
            continue
        connection.execute(insert(users).values(
            name=name, salt=record["salt"], hash=record["hash"], iterations=int(record["iterations"]),
            clearance=record["clearance"], role=record.get("role", DEFAULT_ROLE), updated_at=now()))
        count += 1
    return count


def _audit(path: Path, report: ImportReport, connection, database: Database) -> int:
    source = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    source.row_factory = sqlite3.Row
    try:
        tables = {row[0] for row in source.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        count = 0
        if "answers" in tables:
            for row in source.execute("SELECT * FROM answers ORDER BY id"):
                connection.execute(insert(answers).values(username=row["user"], server="",
                                                          **{c: row[c] for c in ANSWER_COLUMNS}))
                count += 1
        if "library_changes" in tables:
            for row in source.execute("SELECT * FROM library_changes ORDER BY id"):
                connection.execute(insert(library_changes).values(
                    time=row["time"], username=row["user"], action=row["action"], source=row["source"],
                    detail=row["detail"], server=""))
                count += 1
        return count
    finally:
        source.close()


def _feedback(path: Path, report: ImportReport, connection, database: Database) -> int:
    count = 0
    for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
        if not line.strip():
            continue
        try:
            entry = json.loads(line)
            row = {"time": entry["time"], "vote": entry["vote"], "comment": entry.get("comment", ""),
                   "answer": json.dumps(entry["answer"], ensure_ascii=False)}
        except (ValueError, KeyError, TypeError):
            row = {"time": now(), "vote": "comment", "comment": line, "answer": "null"}
        connection.execute(insert(feedback).values(username="", **row))
        count += 1
    return count


IMPORTERS = {"users.json": ("users", _users), "audit.sqlite3": ("audit", _audit), "feedback.jsonl": ("feedback", _feedback)}


def import_legacy_files(database: Database, home: Path) -> ImportReport:
    """Import each legacy file of `home` not imported before; returns what was imported."""
    report = ImportReport()
    for name, (kind, importer) in IMPORTERS.items():
        path = home / name
        if not path.is_file():
            continue
        try:
            digest = hashlib.sha256(path.read_bytes()).hexdigest()
            with database.begin() as connection:
                done = connection.execute(select(legacy_imports.c.sha256).where(legacy_imports.c.sha256 == digest)).first()
                if not done:
                    rows = importer(path, report, connection, database)
                    connection.execute(insert(legacy_imports).values(sha256=digest, kind=kind, path=str(path),
                                                                     rows=rows, time=now()))
                    report.imported[name] = rows
        except (OSError, ValueError, KeyError, TypeError, sqlite3.Error) as exc:
            raise ValueError(f"cannot import {path} into the database ({exc.__class__.__name__}: {exc}); nothing of it"
                             " was imported: repair or move the file") from None
        for leftover in (path, *(path.with_name(name + extra) for extra in ("-wal", "-shm"))):
            if leftover.exists():
                leftover.rename(leftover.with_name(leftover.name + IMPORTED_SUFFIX))
    for line in report.lines():
        LOG.warning("%s", line) if line.startswith("user ") else LOG.info("%s", line)
    return report
