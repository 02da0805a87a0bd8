"""What loading a file gives: a `LoadedDocument` (metadata: title, date, kind, classification,
source) whose text is cut into `Section`s, each with its heading and, for PDFs, its pages, and
the pages the loader left out with the reason; or a `DocumentError` with the reason, so the
caller can name the file and go on.

A loader is a function `(data: bytes, path: Path) -> (meta, sections)`; `meta` may hold title,
date, kind, classification and source, and the PDF loader's reports `skipped_pages` and
`dropped_text` (lists of `(page, reason)`).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

from assistant.index.chunks import pages_label
from assistant.index.filters import date_end_number, date_number

SUPPORTED_SUFFIXES = (".md", ".markdown", ".txt", ".pdf", ".docx", ".html", ".htm")
DEFAULT_KIND = "document"
DEFAULT_CLASSIFICATION = "public"


class DocumentError(Exception):
    """A file that cannot be loaded; the message says why."""


@dataclass(frozen=True)
class Section:
    """A run of text under one heading.

    `page` is the first page it is on (PDFs only), `page_end` the last when it crosses a page
    break; `page_starts` holds `(offset in text, page)` for each page it runs onto after the first.
    A table is a section of its own: `text` holds one row statement a line, and `header` the
    column header that heads every passage cut from it.
    """

    heading: str
    text: str
    page: int | None = None
    page_end: int | None = None
    page_starts: tuple[tuple[int, int], ...] = ()
    header: str = ""

    @property
    def rows(self) -> list[str]:
        """A table section's row statements."""
        return [line for line in self.text.split("\n") if line.strip()]

    def pages_label(self) -> str:
        """"p. 82", "pp. 112–115", or "" without a page."""
        return pages_label(self.page, self.page_end)

    def pages_between(self, start: int, end: int) -> tuple[int | None, int | None]:
        """The first and last page of the text between offsets `start` and `end`."""
        first = last = self.page
        for offset, page in self.page_starts:
            if offset <= start:
                first = page
            if offset < end:
                last = page
        return first, last


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
    skipped_pages: list[tuple[int, str]] = field(default_factory=list)
    """Pages not indexed, with the reason (contents pages, unreadable text, scans that could not be read)."""
    dropped_text: list[tuple[int, str]] = field(default_factory=list)
    """Pages that lost part of their text, with the reason (text in a font that does not read as words)."""

    def notes(self) -> list[str]:
        """What the user should know about this file's pages, one line per reason: "pp. 3–10 not indexed: table of contents"."""
        lines = []
        for what, reports in (("not indexed", self.skipped_pages), ("partly dropped", self.dropped_text)):
            by_reason: dict[str, list[int]] = {}
            for page, reason in reports:
                by_reason.setdefault(reason, []).append(page)
            lines += [f"{_page_runs(pages)} {what}: {reason}" for reason, pages in by_reason.items()]
        return lines

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


def _page_runs(pages: list[int]) -> str:
    """"p. 2", "pp. 3–10", "pp. 1, 4–5": pages, consecutive ones as ranges."""
    runs: list[list[int]] = []
    for page in sorted(set(pages)):
        if runs and page == runs[-1][-1] + 1:
            runs[-1].append(page)
        else:
            runs.append([page])
    text = ", ".join(str(r[0]) if len(r) == 1 else f"{r[0]}–{r[-1]}" for r in runs)
    return f"p. {text}" if len(pages) == 1 else f"pp. {text}"


def file_hash(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()
