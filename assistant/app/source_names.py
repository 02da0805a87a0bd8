"""How a user sees a document's source: never a path on the server.

The index names a file by its path (relative to the working directory when inside it, else
absolute), which would show users where the server keeps its state. Users see instead:
- an upload: `uploads/<id>/<file>`, whatever the state root's path;
- a file of the knowledge folder: `<folder name>/<path inside it>`, e.g. `knowledge/visits/report.md`;
- another file under the working directory: its path from there, as indexed;
- any other file: its name with a short tag that tells same-named files apart (`report.pdf #3f2a1c`).
A shown name leads back to its source among the documents a user may see (`source_of`).
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterable
from dataclasses import dataclass, replace
from pathlib import Path, PurePosixPath

from langchain_core.documents import Document

from assistant.answer.types import Answer, Citation


def _inside(path: str, folder: str) -> str | None:
    """`path` relative to `folder` (both absolute, normalised), or None when it is not inside it."""
    relative = os.path.relpath(path, folder)
    return None if relative == ".." or relative.startswith("../") else PurePosixPath(relative).as_posix()


@dataclass(frozen=True)
class SourceNames:
    home: Path
    """The state root (uploads live in `home/uploads`)."""
    knowledge_dir: Path
    cwd: Path

    @classmethod
    def of(cls, settings, cwd: Path | None = None) -> "SourceNames":
        return cls(Path(settings.home), Path(settings.knowledge_dir), cwd or Path.cwd())

    def shown(self, source: str) -> str:
        if not source:
            return source
        path = os.path.normpath(source if os.path.isabs(source) else os.path.join(self.cwd, source))
        upload = _inside(path, os.path.normpath(self.home / "uploads"))
        if upload is not None:
            return f"uploads/{upload}"
        knowledge = _inside(path, os.path.normpath(self.knowledge_dir))
        if knowledge is not None:
            return f"{self.knowledge_dir.name}/{knowledge}"
        if not os.path.isabs(source):
            return source
        return f"{os.path.basename(path)} #{hashlib.sha1(source.encode()).hexdigest()[:6]}"

    def source_of(self, name: str, sources: Iterable[str]) -> str | None:
        """The source among `sources` that `name` names (as shown, or as indexed), or None."""
        for source in sources:
            if name in (source, self.shown(source)):
                return source
        return None

    def document(self, passage: Document) -> Document:
        """The passage with its source as shown."""
        metadata = dict(passage.metadata)
        metadata["source"] = self.shown(metadata.get("source", ""))
        return Document(page_content=passage.page_content, metadata=metadata, id=passage.id)

    def citation(self, citation: Citation) -> Citation:
        return replace(citation, source=self.shown(citation.source))

    def answer(self, answer: Answer) -> Answer:
        """The answer as a user sees it: every citation, passage and closest passage with its source as shown."""
        return replace(answer, citations=[self.citation(c) for c in answer.citations],
                       passages=[self.document(p) for p in answer.passages],
                       closest=self.citation(answer.closest) if answer.closest else None)

    def note(self, note):
        """A briefing or comparison note (both cite the passages in `sources`) with its sources as shown."""
        return replace(note, sources=[self.document(p) for p in note.sources])
