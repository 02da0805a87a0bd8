"""Incremental ingestion: new and changed files are (re)indexed, unchanged ones skipped, unreadable
ones named and skipped; pages a loader left out are reported per file. With `check`, every file's
own words are compared with what the index stores for it (see `conservation`).

A source is named independently of the working directory and of where the folder sits on this
machine, so that every server and every checkout names a file alike: a file of the knowledge folder
is `knowledge/<path inside it>`, a file of a folder given on the command line `<folder's name>/<path
inside it>` (or `<name>/<path>` with `--as NAME`), a file given alone `<its folder's name>/<its
name>`. `uploads/` is the app's own: no file on disk is named into it. A document that vanished from a
folder is removed only on request (`prune`), never an uploaded one; otherwise it is reported as kept.
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


UPLOADS = "uploads"
"""The first part of every uploaded document's name (`uploads/<id>/<file>`); no file on disk is named into it."""


def is_upload(source: str) -> bool:
    """Whether `source` names a document uploaded through the app."""
    return source.split("/")[0] == UPLOADS


@dataclass
class IngestReport:
    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    vanished: list[str] = field(default_factory=list)
    """Documents of the folders ingested that are no longer on disk, kept because removal was not asked for."""
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
        kept = f", {len(self.vanished)} no longer on disk kept (--prune removes them)" if self.vanished else ""
        return (
            f"added {len(self.added)}, updated {len(self.updated)}, removed {len(self.removed)}, "
            f"unchanged {len(self.unchanged)}, failed {len(self.failed)}{kept} ({self.chunks_written} chunks written)"
        )


@dataclass(frozen=True)
class Incoming:
    """A file to index: the name it is stored under, a path giving its type (and its title, failing its own), and
    where its bytes come from (read from `path` when `data` is None)."""

    source: str
    path: Path
    data: bytes | None = None


@dataclass(frozen=True)
class Folder:
    """A folder given to ingest, and the prefix its files are named under (`reports/` for .../reports)."""

    path: Path
    prefix: str


class NamingError(ValueError):
    """A folder or file cannot be named as asked (into the app's uploads, or outside the given base)."""


def folder_prefix(folder: Path, knowledge_dir: Path | None, name: str | None = None, base: Path | None = None) -> str:
    """What the files of `folder` are named under: `name`, the path from `base`, the knowledge folder's
    `knowledge/...`, else the folder's own name."""
    folder = folder.resolve()
    if name:
        prefix = name.strip("/")
    elif base is not None:
        prefix = folder.relative_to(base.resolve()).as_posix()
    elif knowledge_dir is not None and folder.is_relative_to(knowledge_dir.resolve()):
        prefix = folder.relative_to(knowledge_dir.resolve().parent).as_posix()
    else:
        prefix = folder.name
    if prefix.split("/")[0] == UPLOADS:
        raise NamingError(f"the files of {folder} would be named {prefix}/..., like the documents uploaded through the"
                          " app: give the folder another name with --as NAME")
    return prefix


def discover(paths: Iterable[Path], knowledge_dir: Path | None = None, name: str | None = None,
             base: Path | None = None) -> tuple[list[Incoming], list[Folder], list[tuple[str, str]]]:
    """Files to ingest with their names, the folders given (for `prune`), and paths that do not exist."""
    files: list[Incoming] = []
    folders: list[Folder] = []
    missing: list[tuple[str, str]] = []
    for path in paths:
        if path.is_dir():
            folder = Folder(path.resolve(), folder_prefix(path, knowledge_dir, name, base))
            folders.append(folder)
            files.extend(
                Incoming(f"{folder.prefix}/{p.relative_to(path).as_posix()}", p)
                for p in sorted(path.rglob("*"))
                if p.is_file() and p.suffix.lower() in SUPPORTED_SUFFIXES
                and not any(part.startswith(".") for part in p.relative_to(path).parts)
            )
        elif path.is_file():
            files.append(Incoming(f"{folder_prefix(path.parent, knowledge_dir, name, base)}/{path.name}", path))
        else:
            missing.append((str(path), "no such file or directory"))
    return files, folders, missing


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

    def ingest(self, paths: Iterable[Path], progress: bool | None = None, admit: Admit | None = None,
               check: bool = False, knowledge_dir: Path | None = None, name: str | None = None,
               base: Path | None = None, prune: bool = False) -> IngestReport:
        """Index the files of `paths` (named as the module says; `name` and `base` choose the names of the folders'
        files); `admit`, when given, sees each loaded document first and may relabel or refuse it; `check` runs the
        conservation check on every file indexed or unchanged. `prune` removes the documents of the folders given
        that are no longer on disk, never an upload; without it they are reported, and kept."""
        files, folders, missing = discover(paths, knowledge_dir, name, base)
        stored = self.store.documents()
        report = self.ingest_files(files, progress, admit, check, stored)
        report.failed[:0] = missing
        seen = {incoming.source for incoming in files}
        for source in sorted(set(stored) - seen):
            if is_upload(source):
                continue
            if any(source.startswith(folder.prefix + "/") for folder in folders):
                if prune:
                    self.store.remove_document(source)
                    report.removed.append(source)
                else:
                    report.vanished.append(source)
        self.store.sync_lexical(check=True)
        return report

    def ingest_files(self, files: list[Incoming], progress: bool | None = None, admit: Admit | None = None,
                     check: bool = False, stored: dict | None = None) -> IngestReport:
        """Index each file under its name (unchanged ones skipped); `stored`: the store's documents, when known."""
        report = IngestReport()
        stored = self.store.documents() if stored is None else stored
        show = sys.stderr.isatty() if progress is None else progress
        bar = tqdm(files, desc="Indexing", unit="file", disable=not show, file=sys.stderr)
        for incoming in bar:
            source, path = incoming.source, incoming.path
            bar.set_postfix_str(path.name, refresh=True)
            try:
                data = incoming.data
                if data is None:
                    self.limits.check_file_size(path.stat().st_size)
                    data = path.read_bytes()
                else:
                    self.limits.check_file_size(len(data))
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
        return report
