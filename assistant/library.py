"""The document library: list what is indexed, add uploaded files, remove a document."""

from __future__ import annotations

import re
import shutil
from dataclasses import dataclass
from pathlib import Path

from assistant.documents import SUPPORTED_SUFFIXES
from assistant.ingest import IngestReport, source_name


@dataclass(frozen=True)
class UploadResult:
    name: str
    ok: bool
    message: str


def safe_name(name: str) -> str:
    """A plain file name from whatever the browser sent: no folders, no traversal, no odd characters."""
    base = re.split(r"[\\/]", name)[-1]
    cleaned = re.sub(r"[^A-Za-z0-9._ -]", "_", base).strip(" .")
    return cleaned or "upload"


class Library:
    """Uploads are kept under `<state root>/uploads/` and indexed like any other file."""

    def __init__(self, assistant):
        self.assistant = assistant
        self.uploads = assistant.settings.home / "uploads"

    def _visible(self) -> dict:
        allowed = self.assistant.visible
        return {source: d for source, d in self.assistant.store.documents().items()
                if allowed is None or d.classification in allowed}

    def rows(self) -> list[list]:
        """One row per document the user may see: title, kind, date, classification, chunks, source."""
        documents = self._visible().values()
        return [
            [d.title, d.kind, d.date, d.classification, d.chunk_count, d.source]
            for d in sorted(documents, key=lambda d: (d.kind, d.title))
        ]

    def add(self, files: list[tuple[str, Path]]) -> tuple[list[UploadResult], IngestReport | None]:
        """Copy each (original name, temp path) into the uploads folder and index them together."""
        results: list[UploadResult] = []
        saved: dict[str, str] = {}
        self.uploads.mkdir(parents=True, exist_ok=True)
        for original, temp in files:
            name = safe_name(original)
            if Path(name).suffix.lower() not in SUPPORTED_SUFFIXES:
                results.append(UploadResult(original, False, f"unsupported file type; supported: {', '.join(SUPPORTED_SUFFIXES)}"))
                continue
            limit_mb = self.assistant.settings.max_file_mb
            if temp.stat().st_size > limit_mb * 1024 * 1024:
                results.append(UploadResult(original, False, f"larger than the {limit_mb:g} MB limit"))
                continue
            target = self.uploads / name
            shutil.copyfile(temp, target)
            saved[source_name(target)] = original
        if not saved:
            return results, None
        report = self.assistant.ingest([self.uploads / Path(s).name for s in saved], progress=False)
        failed = dict(report.failed)
        for source, original in saved.items():
            if source in failed:
                (self.uploads / Path(source).name).unlink(missing_ok=True)
                results.append(UploadResult(original, False, failed[source]))
            elif source in report.unchanged:
                results.append(UploadResult(original, True, "already indexed, unchanged"))
            else:
                chunks = len(self.assistant.store.chunk_ids(source))
                results.append(UploadResult(original, True, f"indexed ({chunks} passages)"))
        return results, report

    def remove(self, source: str) -> int:
        """Remove a document's passages (and the file, when it was uploaded); returns passages removed."""
        if source not in self._visible():  # the same answer whether it is absent or above the user's clearance
            raise ValueError(f"no indexed document {source!r}")
        removed = self.assistant.store.remove_document(source)
        uploaded = self.uploads / Path(source).name
        if uploaded.exists() and source_name(uploaded) == source:
            uploaded.unlink()
        self.assistant.store.sync_lexical()
        return removed
