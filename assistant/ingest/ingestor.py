"""Incremental ingestion: new and changed files are (re)indexed, unchanged ones skipped,
deleted ones removed, unreadable ones named and skipped; pages a loader left out are
reported per file. With `check`, every file's own words are compared with what the index
stores for it (see `conservation`).
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from tqdm import tqdm

from assistant.config.limits import FileLimits, LimitExceeded
from assistant.index.embeddings import MiniLMEmbeddings
from assistant.index.sentence_data import embed_with_sentences
from assistant.index.store import KnowledgeStore
from assistant.ingest.chunking import Chunker
from assistant.ingest.conservation import Conservation, Passage, check_file
from assistant.ingest.documents import SUPPORTED_SUFFIXES, DocumentError, LoadedDocument, file_hash
from assistant.ingest.loading import load_document

Admit = Callable[[LoadedDocument], LoadedDocument]
"""Sees each loaded document before it is indexed: returns it (perhaps relabelled) or raises DocumentError."""


@dataclass
class IngestReport:
    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)
    notes: list[tuple[str, str]] = field(default_factory=list)
    """(source, note) for pages of an indexed file that were left out: "pp. 3–5 not indexed: table of contents"."""
    chunks_written: int = 0
    conservation: list[Conservation] = field(default_factory=list)
    """With `check`: for each indexed file, its own words against what the index stores for it."""

    def notes_for(self, source: str) -> list[str]:
        return [note for name, note in self.notes if name == source]

    @property
    def ok(self) -> bool:
        return not self.failed

    def summary(self) -> str:
        return (
            f"added {len(self.added)}, updated {len(self.updated)}, removed {len(self.removed)}, "
            f"unchanged {len(self.unchanged)}, failed {len(self.failed)} ({self.chunks_written} chunks written)"
        )


def source_name(path: Path, cwd: Path | None = None) -> str:
    """How a file is named in the index: relative to the working directory when inside it."""
    resolved = path.resolve()
    try:
        return resolved.relative_to((cwd or Path.cwd()).resolve()).as_posix()
    except ValueError:
        return resolved.as_posix()


def discover(paths: Iterable[Path]) -> tuple[list[Path], list[Path], list[tuple[Path, str]]]:
    """Files to ingest, directories scanned (whose vanished files are removed), and missing paths."""
    files: list[Path] = []
    roots: list[Path] = []
    missing: list[tuple[Path, str]] = []
    for path in paths:
        if path.is_dir():
            roots.append(path.resolve())
            files.extend(
                sorted(
                    p for p in path.rglob("*")
                    if p.is_file() and p.suffix.lower() in SUPPORTED_SUFFIXES
                    and not any(part.startswith(".") for part in p.relative_to(path).parts)
                )
            )
        elif path.is_file():
            files.append(path)
        else:
            missing.append((path, "no such file or directory"))
    return files, roots, missing


class Ingestor:
    """Brings the store in step with files on disk."""

    def __init__(self, store: KnowledgeStore, embeddings: MiniLMEmbeddings, chunker: Chunker | None = None,
                 limits: FileLimits | None = None):
        self.store = store
        self.embeddings = embeddings
        self.chunker = chunker or Chunker(embeddings.count_word_pieces, embedder=embeddings.backend)
        self.limits = limits or FileLimits()

    def check(self, path: Path, source: str, data: bytes, document: LoadedDocument | None = None) -> Conservation:
        """Compare a file's own words with the passages the index stores for it (the file is loaded
        again when `document` is not given: the pages it leaves out are part of the comparison)."""
        document = document or load_document(path, source, data, self.limits)
        stored = self.store.get_chunks(self.store.chunk_ids(source)).values()
        passages = [Passage(text, str(meta.get("section", "")), int(meta.get("page") or 0), int(meta.get("page_end") or 0))
                    for text, meta in stored]
        return check_file(data, path, document, passages)

    def ingest(self, paths: Iterable[Path], progress: bool | None = None, cwd: Path | None = None,
               admit: Admit | None = None, check: bool = False) -> IngestReport:
        """Index `paths`; `admit`, when given, sees each loaded document first and may relabel or refuse it;
        `check` runs the conservation check on every file indexed or unchanged."""
        report = IngestReport()
        files, roots, missing = discover(paths)
        report.failed.extend((str(path), reason) for path, reason in missing)
        stored = self.store.documents()
        seen: set[str] = set()
        show = sys.stderr.isatty() if progress is None else progress
        bar = tqdm(files, desc="Indexing", unit="file", disable=not show, file=sys.stderr)
        for path in bar:
            source = source_name(path, cwd)
            seen.add(source)
            bar.set_postfix_str(path.name, refresh=True)
            try:
                self.limits.check_file_size(path.stat().st_size)
                data = path.read_bytes()
                previous = stored.get(source)
                if previous and previous.is_current(file_hash(data), self.embeddings.backend):
                    report.unchanged.append(source)
                    if check:
                        report.conservation.append(self.check(path, source, data))
                    continue
                document = load_document(path, source, data, self.limits)
                if admit is not None:
                    document = admit(document)
                chunks = self.chunker.split(document)
                self.limits.check_passages(len(chunks))
            except (DocumentError, LimitExceeded) as exc:
                report.failed.append((source, str(exc)))
                continue
            except OSError as exc:
                report.failed.append((source, f"cannot read the file ({exc.strerror or exc})"))
                continue
            chunks, vectors = embed_with_sentences(chunks, self.embeddings)
            self.store.replace_document(source, chunks, vectors)
            report.chunks_written += len(chunks)
            report.notes.extend((source, note) for note in document.notes())
            (report.updated if previous else report.added).append(source)
            if check:
                report.conservation.append(self.check(path, source, data, document))
        base = (cwd or Path.cwd()).resolve()
        for source in sorted(set(stored) - seen):
            location = (base / source).resolve()
            if any(location.is_relative_to(root) for root in roots) and not location.exists():
                self.store.remove_document(source)
                report.removed.append(source)
        self.store.sync_lexical()
        return report
