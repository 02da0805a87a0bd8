"""Provenance: every answer and every change to the library recorded in SQLite under the
state root, listed and replayed.

A record holds the time, user and clearance, the question, its history and standalone
query, the retrieved chunk ids with their documents' hashes, mode and model, prompt
version, the answer, its citations and their verification. No secret is ever stored:
settings objects never enter a record, only the fields named here.
"""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
import threading
from dataclasses import dataclass
from pathlib import Path

from assistant.answer.types import Answer

_SCHEMA = """
CREATE TABLE IF NOT EXISTS answers (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    time TEXT NOT NULL,
    user TEXT NOT NULL,
    clearance TEXT NOT NULL,
    question TEXT NOT NULL,
    history TEXT NOT NULL,
    standalone_query TEXT NOT NULL,
    filter TEXT NOT NULL,
    retrieved TEXT NOT NULL,
    mode TEXT NOT NULL,
    model TEXT NOT NULL,
    prompt_version TEXT NOT NULL,
    answer TEXT NOT NULL,
    refused INTEGER NOT NULL,
    citations TEXT NOT NULL,
    verification TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS answers_user_time ON answers (user, time);
CREATE TABLE IF NOT EXISTS library_changes (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    time TEXT NOT NULL,
    user TEXT NOT NULL,
    action TEXT NOT NULL,
    source TEXT NOT NULL,
    detail TEXT NOT NULL
);
"""


def _now() -> str:
    return dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")


@dataclass(frozen=True)
class LibraryChange:
    """Who changed the library, how, and when: action is upload, replace or remove."""

    id: int
    time: str
    user: str
    action: str
    source: str
    detail: str


@dataclass(frozen=True)
class AuditRecord:
    id: int
    time: str
    user: str
    clearance: str
    question: str
    history: list
    standalone_query: str
    filter: dict
    retrieved: list
    mode: str
    model: str
    prompt_version: str
    answer: str
    refused: bool
    citations: list
    verification: list


class AuditLog:
    """Append-only answer records in `<state root>/audit.sqlite3`; safe to share between threads."""

    def __init__(self, path: Path):
        self.path = path
        self._lock = threading.Lock()
        path.parent.mkdir(parents=True, exist_ok=True)
        with self._connect() as db:
            db.executescript(_SCHEMA)

    def _connect(self) -> sqlite3.Connection:
        db = sqlite3.connect(self.path, timeout=30)
        db.row_factory = sqlite3.Row
        return db

    def record(self, answer: Answer, *, user: str, clearance: str, history: list, search_filter: dict,
               model: str, prompt_version: str) -> int:
        retrieved = [{"chunk_id": p.metadata["chunk_id"], "source": p.metadata.get("source", ""),
                      "doc_hash": p.metadata.get("doc_hash", "")} for p in answer.passages]
        contract = answer.to_dict()
        row = (
            _now(), user, clearance, answer.question,
            json.dumps(history), answer.query or answer.question, json.dumps(search_filter), json.dumps(retrieved),
            answer.mode, model, prompt_version, answer.text, int(answer.refused),
            json.dumps(contract["citations"]), json.dumps(contract["sentences"]),
        )
        with self._lock, self._connect() as db:
            cursor = db.execute(
                "INSERT INTO answers (time, user, clearance, question, history, standalone_query, filter, retrieved,"
                " mode, model, prompt_version, answer, refused, citations, verification)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", row)
            return int(cursor.lastrowid)

    @staticmethod
    def _record(row: sqlite3.Row) -> AuditRecord:
        data = dict(row)
        for key in ("history", "filter", "retrieved", "citations", "verification"):
            data[key] = json.loads(data[key])
        data["refused"] = bool(data["refused"])
        return AuditRecord(**data)

    def list(self, user: str | None = None, since: str | None = None, limit: int = 100) -> list[AuditRecord]:
        query, args = "SELECT * FROM answers WHERE 1=1", []
        if user:
            query += " AND user = ?"
            args.append(user)
        if since:
            query += " AND time >= ?"
            args.append(since)
        query += " ORDER BY id DESC LIMIT ?"
        args.append(limit)
        with self._connect() as db:
            return [self._record(row) for row in db.execute(query, args)]

    def get(self, record_id: int) -> AuditRecord:
        with self._connect() as db:
            row = db.execute("SELECT * FROM answers WHERE id = ?", (record_id,)).fetchone()
        if row is None:
            raise ValueError(f"no audit record {record_id}")
        return self._record(row)

    def record_change(self, *, user: str, action: str, source: str, detail: str = "") -> int:
        with self._lock, self._connect() as db:
            cursor = db.execute("INSERT INTO library_changes (time, user, action, source, detail) VALUES (?, ?, ?, ?, ?)",
                                (_now(), user, action, source, detail))
            return int(cursor.lastrowid)

    def changes(self, limit: int = 100) -> list[LibraryChange]:
        with self._connect() as db:
            rows = db.execute("SELECT * FROM library_changes ORDER BY id DESC LIMIT ?", (limit,))
            return [LibraryChange(**dict(row)) for row in rows]
