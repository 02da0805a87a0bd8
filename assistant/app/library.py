"""The document library as one user sees it: list, upload, replace and remove documents.

Who may do what (see `assistant.app.access`): anyone signed in may list; editors and admins may
upload, replace and remove documents within their own clearance, and may not label an
upload above it. Files of the knowledge folder are removed only from the CLI. Every change
goes into the audit log.

Each upload is kept in the database (`assistant.app.uploads`: its original bytes) and indexed
as `uploads/<id>/<name>`, so it has its own identity: an upload never overwrites or deletes
another document, and a failed one leaves the database and the index as they were. Any server
can replace or remove it. Nothing an upload answers depends on documents the uploader cannot see.
Users see documents by the names of `assistant.app.source_names`, never by server paths; every
method takes a document by that name (or by its indexed source).
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass, replace
from pathlib import Path

from assistant.app.access import AccessError, require_role
from assistant.app.source_names import SourceNames
from assistant.app.uploads import UploadStore, upload_source
from assistant.config.limits import MB
from assistant.ingest.documents import SUPPORTED_SUFFIXES, DocumentError, LoadedDocument, file_hash
from assistant.ingest.ingestor import UPLOADS, Incoming, IngestReport, is_upload


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
    """The library for `assistant`'s user (name and clearance) acting in `role`.

    `protect_knowledge` (the web app) refuses to remove files of the knowledge folder; the CLI
    passes False."""

    def __init__(self, assistant, role: str = "admin", protect_knowledge: bool = True):
        self.assistant = assistant
        self.role = role
        self.protect_knowledge = protect_knowledge
        self.settings = assistant.settings
        self.uploads = UploadStore(assistant.database)
        self.names = SourceNames.of(self.settings)

    # --- reading ------------------------------------------------------------------------------
    def _visible(self) -> dict:
        allowed = self.assistant.visible
        return {source: d for source, d in self.assistant.store.documents().items()
                if allowed is None or d.classification in allowed}

    def rows(self) -> list[list]:
        """One row per document the user may see: title, kind, date, upload date, classification, chunks, source
        (as shown)."""
        documents = self._visible().values()
        uploaded = {source: upload.uploaded_at[:10] for source, upload in self.uploads.all().items()}
        return [
            [d.title, d.kind, d.date, uploaded.get(d.source, ""), d.classification, d.chunk_count,
             self.names.shown(d.source)]
            for d in sorted(documents, key=lambda d: (d.kind, d.title))
        ]

    def check_sources(self, names) -> tuple[str, ...]:
        """The indexed sources of the documents `names` names, all visible to the user; the same error whether one
        is absent or above their clearance."""
        visible = self._visible() if names else {}
        found = {name: self.names.source_of(name, visible) for name in names or ()}
        unknown = [name for name, source in found.items() if source is None]
        if unknown:
            raise ValueError(f"no indexed document {', '.join(map(repr, unknown))}")
        return tuple(found[name] for name in names or ())

    # --- rules --------------------------------------------------------------------------------
    def _require_editor(self, action: str) -> None:
        require_role(self.role, "editor", action)

    def _check_label(self, label: str) -> str:
        levels = self.assistant.levels
        levels.check(label)
        visible = self.assistant.visible
        if visible is not None and label not in visible:
            raise AccessError(f"labelled {label}, above your clearance ({self.assistant.clearance})")
        return label

    def _admit(self, label: str | None):
        """Relabel a loaded document when `label` is given, then refuse it if its label is above the user's clearance."""
        def admit(document: LoadedDocument) -> LoadedDocument:
            if label:
                document = replace(document, classification=label)
            try:
                self._check_label(document.classification)
            except AccessError as exc:
                raise DocumentError(str(exc)) from None
            return document
        return admit

    def _in_knowledge(self, source: str) -> bool:
        return source.split("/")[0] == self.settings.knowledge_dir.name

    def _record(self, action: str, source: str, detail: str) -> None:
        if self.assistant.audit is not None:
            self.assistant.audit.record_change(user=self.assistant.user, action=action, source=source, detail=detail)

    def _check_request(self, files: list[tuple[str, Path]]) -> None:
        if len(files) > self.settings.max_upload_files:
            raise ValueError(f"{len(files)} files in one upload; the limit is {self.settings.max_upload_files}"
                             " (BRIEFING_MAX_UPLOAD_FILES)")
        total = sum(temp.stat().st_size for _, temp in files)
        if total > self.settings.max_upload_mb * MB:
            raise ValueError(f"{total / MB:.3g} MB in one upload; the limit is {self.settings.max_upload_mb:g} MB"
                             " (BRIEFING_MAX_UPLOAD_MB)")

    def _refusal(self, name: str, data: bytes, visible: dict) -> str | None:
        """Why a file cannot be uploaded as it is, judged only against documents the user may see."""
        if Path(name).suffix.lower() not in SUPPORTED_SUFFIXES:
            return f"unsupported file type; supported: {', '.join(SUPPORTED_SUFFIXES)}"
        limit_mb = self.settings.max_file_mb
        if len(data) > limit_mb * MB:
            return f"larger than the {limit_mb:g} MB limit (BRIEFING_MAX_FILE_MB)"
        digest = file_hash(data)
        for source, document in visible.items():
            if digest in document.doc_hashes:
                return f"already in the library as {self.names.shown(source)}"
            if Path(source).name == name and is_upload(source):
                return (f"a document named {name} is already in the library ({self.names.shown(source)}); upload this"
                        " one under another name, or replace that document (Replace document, for editors within its"
                        " clearance)")
        return None

    # --- changing -----------------------------------------------------------------------------
    def add(self, files: list[tuple[str, Path]], label: str | None = None,
            progress: bool = False) -> tuple[list[UploadResult], IngestReport | None]:
        """Index each (original name, temp path) as a new document; `label` sets their classification."""
        self._require_editor("uploading documents")
        self._check_request(files)
        if label:
            self._check_label(label)
        results: list[UploadResult] = []
        saved: dict[str, tuple[str, Incoming]] = {}
        visible = self._visible()
        for original, temp in files:
            name = safe_name(original)
            data = temp.read_bytes()
            refusal = self._refusal(name, data, visible)
            if refusal:
                results.append(UploadResult(original, False, refusal))
                continue
            # Stored first: a server that stops mid-way leaves a stored file, never an indexed document without one.
            upload = self.uploads.add(secrets.token_hex(6), name, data, label or "", self.assistant.user)
            saved[upload.source] = (original, Incoming(upload.source, Path(name), data))
        if not saved:
            return results, None
        report = self.assistant.ingest_files([incoming for _, incoming in saved.values()], progress=progress,
                                             admit=self._admit(label))
        failed = dict(report.failed)
        documents = self.assistant.store.documents()
        for source, (original, _) in saved.items():
            if source in failed:
                self.uploads.remove(source)
                results.append(UploadResult(original, False, failed[source]))
                continue
            document = documents[source]
            self.uploads.relabel(source, document.classification)
            self._record("upload", source, f"{original}; {document.classification}; {document.chunk_count} passages")
            notes = "".join(f"; {note}" for note in report.notes_for(source))
            results.append(UploadResult(original, True, f"indexed as {self.names.shown(source)}"
                                                        f" ({document.chunk_count} passages, {document.classification})"
                                                        f"{notes}"))
        return results, report

    def replace(self, name: str, original: str, temp: Path, label: str | None = None) -> str:
        """Replace an uploaded document with a new version (its label kept unless `label` is given).

        When the new version cannot be indexed, the old one, its bytes and its passages stay as they were."""
        self._require_editor("replacing documents")
        (source,) = self.check_sources([name])
        shown = self.names.shown(source)
        upload = self.uploads.get(source)
        if upload is None:
            raise ValueError(f"{shown} was not uploaded through the app; change it on disk and run `briefing ingest`")
        suffix = Path(upload.name).suffix.lower()
        if Path(safe_name(original)).suffix.lower() != suffix:
            raise ValueError(f"the new version must be a {suffix} file, like the document it replaces")
        self._check_request([(original, temp)])
        label = self._check_label(label) if label else self._visible()[source].classification
        data = temp.read_bytes()
        report = self.assistant.ingest_files([Incoming(source, Path(upload.name), data)], admit=self._admit(label))
        if report.failed:
            raise ValueError(f"the new version of {shown} was not indexed: {report.failed[0][1]}; the old one stays")
        self.uploads.replace(source, data, label, self.assistant.user)
        chunks = self.assistant.store.documents()[source].chunk_count
        self._record("replace", source, f"{original}; {label}; {chunks} passages")
        notes = "".join(f"; {note}" for note in report.notes_for(source))
        return f"Replaced {shown} ({chunks} passages, {label}){notes}."

    def adopt_legacy_uploads(self) -> list[str]:
        """Move the uploads earlier versions kept on disk (`<state root>/uploads/<id>/<name>`, indexed under a path)
        into the database, indexed as `uploads/<id>/<name>` with their classification; the folder is renamed
        `uploads.imported` (kept). Returns the new names. Runs once, when `briefing serve` starts."""
        folder = self.settings.home / UPLOADS
        if not folder.is_dir():
            return []
        stored, adopted = self.assistant.store.documents(), []
        for path in sorted(p for p in folder.glob("*/*") if p.is_file() and not p.name.startswith(".")):
            source = upload_source(path.parent.name, path.name)
            old = next((s for s in stored if s != source and s.endswith(f"/{source}")), None)
            if old is None or self.uploads.get(source) is not None:
                continue
            data, label = path.read_bytes(), stored[old].classification
            self.uploads.add(path.parent.name, path.name, data, label, "earlier version")
            report = self.assistant.ingest_files([Incoming(source, Path(path.name), data)],
                                                 admit=lambda document, label=label: replace(document, classification=label))
            if report.failed:
                self.uploads.remove(source)
                continue
            self.assistant.store.remove_document(old)
            self._record("adopt", source, f"was {old}; {label}")
            adopted.append(source)
        folder.rename(folder.with_name(UPLOADS + ".imported"))
        return adopted

    def remove(self, name: str) -> int:
        """Remove a document's passages (and its stored bytes, when it was uploaded); returns passages removed."""
        self._require_editor("removing documents")
        (source,) = self.check_sources([name])
        if self.protect_knowledge and self._in_knowledge(source) and not is_upload(source):
            raise AccessError(f"{self.names.shown(source)} belongs to the knowledge folder; it is removed only from the"
                              " command line (`briefing remove`)")
        removed = self.assistant.store.remove_document(source)
        self.uploads.remove(source)
        self.assistant.store.sync_lexical()
        self._record("remove", source, f"{removed} passages")
        return removed
