"""Load one file, within the cost limits, into a `LoadedDocument`."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from assistant.config.limits import FileLimits, LimitExceeded
from assistant.index.visit import Visit
from assistant.ingest.documents import (
    DEFAULT_CLASSIFICATION,
    DEFAULT_KIND,
    SUPPORTED_SUFFIXES,
    DocumentError,
    LoadedDocument,
    file_hash,
)
from assistant.ingest.formats import LOADERS

HTML_MARKUP_FACTOR = 4
"""An HTML file may be this many times the text limit: markup is not text."""


def _iso_date(value: object) -> str:
    if value is None or value == "":
        return ""
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()[:10]
    return str(value).strip()


def _check_before_loading(suffix: str, data: bytes, limits: FileLimits) -> None:
    """The limits that can be judged from the raw bytes, before any parsing."""
    limits.check_file_size(len(data))
    if suffix in (".md", ".markdown", ".txt"):
        limits.check_text(len(data))
    elif suffix in (".html", ".htm"):
        limits.check_text(len(data) // HTML_MARKUP_FACTOR)
    elif suffix == ".docx":
        limits.check_zip(data)


def load_document(path: Path, source: str, data: bytes | None = None, limits: FileLimits | None = None) -> LoadedDocument:
    """Load one file within `limits` (the defaults when None). `source` is the name it is stored and cited under."""
    suffix = path.suffix.lower()
    loader = LOADERS.get(suffix)
    if loader is None:
        raise DocumentError(f"unsupported file type {suffix or '(none)'}; supported: {', '.join(SUPPORTED_SUFFIXES)}")
    if data is None:
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise DocumentError(f"cannot read the file ({exc.strerror or exc})") from None
    if not data.strip():
        raise DocumentError("the file is empty")
    limits = limits or FileLimits()
    try:
        _check_before_loading(suffix, data, limits)
        meta, sections = loader(data, path)
        limits.check_text(sum(len(section.text) for section in sections))
    except LimitExceeded as exc:
        raise DocumentError(str(exc)) from None
    if not sections:
        raise DocumentError("no text found in the file")
    extra = {
        key: _iso_date(value) if isinstance(value, (dt.date, dt.datetime)) else str(value) for key, value in meta.items()
        if key not in {"title", "date", "kind", "classification", "source"} and isinstance(value, (str, int, float, dt.date))
    }
    if meta.get("visit") is not None:  # the sides of a study visit (assistant.index.visit)
        try:
            extra |= Visit.from_front_matter(meta["visit"]).metadata()
        except ValueError as exc:
            raise DocumentError(str(exc)) from None
    reports = {key: list(meta.get(key) or []) for key in ("skipped_pages", "dropped_text")}
    return LoadedDocument(
        source=source,
        title=str(meta.get("title") or path.stem.replace("-", " ").replace("_", " ")),
        date=_iso_date(meta.get("date")),
        kind=str(meta.get("kind") or DEFAULT_KIND),
        classification=str(meta.get("classification") or DEFAULT_CLASSIFICATION),
        content_hash=file_hash(data),
        sections=sections,
        extra={"origin": str(meta["source"])} | extra if meta.get("source") else extra,
        **reports,
    )
