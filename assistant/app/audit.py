"""Provenance: every answer and every change to the library recorded in the database, listed and replayed.

A record holds the time, user and clearance, the question, its history and standalone
query, the retrieved chunk ids with their documents' hashes, mode and model, prompt
version, the answer, its citations and their verification, and the server that answered. No
secret is ever stored: settings objects never enter a record, only the fields named here.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from sqlalchemy import insert, select

from assistant.answer.types import Answer
from assistant.database.connection import Database, now, server_name
from assistant.database.schema import answers, library_changes

JSON_FIELDS = ("history", "filter", "retrieved", "citations", "verification")


@dataclass(frozen=True)
class LibraryChange:
    """Who changed the library, how, and when: action is upload, replace or remove."""

    id: int
    time: str
    user: str
    action: str
    source: str
    detail: str
    server: str = ""


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
    server: str = ""


def answer_row(answer: Answer, *, user: str, clearance: str, history: list, search_filter: dict, model: str,
               prompt_version: str, server: str) -> dict:
    """The columns of an answer's record."""
    retrieved = [{"chunk_id": p.metadata["chunk_id"], "source": p.metadata.get("source", ""),
                  "doc_hash": p.metadata.get("doc_hash", "")} for p in answer.passages]
    contract = answer.to_dict()
    return {
        "time": now(), "username": user, "clearance": clearance, "question": answer.question,
        "history": json.dumps(history), "standalone_query": answer.query or answer.question,
        "filter": json.dumps(search_filter), "retrieved": json.dumps(retrieved), "mode": answer.mode, "model": model,
        "prompt_version": prompt_version, "answer": answer.text, "refused": int(answer.refused),
        "citations": json.dumps(contract["citations"]), "verification": json.dumps(contract["sentences"]),
        "server": server,
    }


class AuditLog:
    """Append-only answer records and library changes in the shared database; safe to share between threads.
    `server` names this process in each row (`BRIEFING_SERVER_NAME`; default host and process id)."""

    def __init__(self, database: Database, server: str = ""):
        self.database = database
        self.server = server_name(server)

    def record(self, answer: Answer, *, user: str, clearance: str, history: list, search_filter: dict,
               model: str, prompt_version: str) -> int:
        row = answer_row(answer, user=user, clearance=clearance, history=history, search_filter=search_filter,
                         model=model, prompt_version=prompt_version, server=self.server)
        with self.database.begin() as connection:
            return int(connection.execute(insert(answers).values(**row)).inserted_primary_key[0])

    @staticmethod
    def _record(row) -> AuditRecord:
        data = dict(row)
        data["user"] = data.pop("username")
        for key in JSON_FIELDS:
            data[key] = json.loads(data[key])
        data["refused"] = bool(data["refused"])
        return AuditRecord(**data)

    def list(self, user: str | None = None, since: str | None = None, limit: int = 100) -> list[AuditRecord]:
        query = select(answers)
        if user:
            query = query.where(answers.c.username == user)
        if since:
            query = query.where(answers.c.time >= since)
        query = query.order_by(answers.c.id.desc()).limit(limit)
        with self.database.connect() as connection:
            return [self._record(row) for row in connection.execute(query).mappings()]

    def get(self, record_id: int) -> AuditRecord:
        with self.database.connect() as connection:
            row = connection.execute(select(answers).where(answers.c.id == record_id)).mappings().first()
        if row is None:
            raise ValueError(f"no audit record {record_id}")
        return self._record(row)

    def record_change(self, *, user: str, action: str, source: str, detail: str = "") -> int:
        row = {"time": now(), "username": user, "action": action, "source": source, "detail": detail,
               "server": self.server}
        with self.database.begin() as connection:
            return int(connection.execute(insert(library_changes).values(**row)).inserted_primary_key[0])

    def changes(self, limit: int = 100) -> list[LibraryChange]:
        with self.database.connect() as connection:
            rows = connection.execute(select(library_changes).order_by(library_changes.c.id.desc()).limit(limit))
            return [LibraryChange(row.id, row.time, row.username, row.action, row.source, row.detail, row.server)
                    for row in rows]
