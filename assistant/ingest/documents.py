"""What loading a file gives: a `LoadedDocument` (metadata: title, date, kind, classification,
source) whose text is cut into `Section`s, each with its heading and, for PDFs, its page; or a
`DocumentError` with the reason, so the caller can name the file and go on.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

from assistant.index.filters import date_end_number, date_number

SUPPORTED_SUFFIXES = (".md", ".markdown", ".txt", ".pdf", ".docx", ".html", ".htm")
DEFAULT_KIND = "document"
DEFAULT_CLASSIFICATION = "public"
class DocumentError(Exception):
    """A file that cannot be loaded; the message says why."""


@dataclass(frozen=True)
class Section:
    heading: str
    text: str
    page: int | None = None


@dataclass
class LoadedDocument:
    source: str
    title: str
    date: str
    kind: str
    classification: str
    content_hash: str
    sections: list[Section]
    extra: dict[str, str] = field(default_factory=dict)

    def metadata(self) -> dict[str, str | int]:
        """Document-level metadata stored with every chunk (Chroma accepts only scalars)."""
        return {
            "source": self.source,
            "title": self.title,
            "date": self.date,
            "kind": self.kind,
            "classification": self.classification,
            "doc_hash": self.content_hash,
            "date_number": date_number(self.date),
            "date_end_number": date_end_number(self.date),
            **self.extra,
        }


def file_hash(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()
