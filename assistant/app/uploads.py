"""Documents uploaded through the app, kept in the database: their original bytes (within the upload limits),
name, classification, who uploaded them and when. Any server can read, replace or remove them; the index names
each `uploads/<id>/<file>`."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from sqlalchemy import delete, insert, select, update

from assistant.database.connection import Database, now
from assistant.database.schema import uploads
from assistant.ingest.ingestor import UPLOADS

_COLUMNS = [c for c in uploads.c if c.name != "data"]


@dataclass(frozen=True)
class Upload:
    id: str
    source: str
    name: str
    size: int
    sha256: str
    classification: str
    uploaded_by: str
    uploaded_at: str


def upload_source(upload_id: str, name: str) -> str:
    return f"{UPLOADS}/{upload_id}/{name}"


class UploadStore:
    def __init__(self, database: Database):
        self.database = database

    def add(self, upload_id: str, name: str, data: bytes, classification: str, user: str) -> Upload:
        row = {"id": upload_id, "source": upload_source(upload_id, name), "name": name, "data": data,
               "size": len(data), "sha256": hashlib.sha256(data).hexdigest(), "classification": classification,
               "uploaded_by": user, "uploaded_at": now()}
        with self.database.begin() as connection:
            connection.execute(insert(uploads).values(**row))
        return Upload(**{k: v for k, v in row.items() if k != "data"})

    def get(self, source: str) -> Upload | None:
        with self.database.connect() as connection:
            row = connection.execute(select(*_COLUMNS).where(uploads.c.source == source)).mappings().first()
        return Upload(**row) if row else None

    def data(self, source: str) -> bytes:
        with self.database.connect() as connection:
            data = connection.execute(select(uploads.c.data).where(uploads.c.source == source)).scalar()
        if data is None:
            raise KeyError(source)
        return bytes(data)

    def replace(self, source: str, data: bytes, classification: str, user: str) -> None:
        with self.database.begin() as connection:
            connection.execute(update(uploads).where(uploads.c.source == source).values(
                data=data, size=len(data), sha256=hashlib.sha256(data).hexdigest(), classification=classification,
                uploaded_by=user, uploaded_at=now()))

    def relabel(self, source: str, classification: str) -> None:
        with self.database.begin() as connection:
            connection.execute(update(uploads).where(uploads.c.source == source).values(classification=classification))

    def remove(self, source: str) -> bool:
        with self.database.begin() as connection:
            return bool(connection.execute(delete(uploads).where(uploads.c.source == source)).rowcount)

    def all(self) -> dict[str, Upload]:
        """Every upload, by the source it is indexed under."""
        with self.database.connect() as connection:
            return {row["source"]: Upload(**row) for row in connection.execute(select(*_COLUMNS)).mappings()}
