"""Briefing notes for trainers: five fixed sections, every bullet carrying verified citations.

Embedded mode builds each section from the best-supported sentences of passages
retrieved for section-specific queries; with an LLM, the model drafts the note from
the same passages (prompt `briefing`) and every bullet is verified, unsupported ones
dropped. Export as Markdown or DOCX.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from pathlib import Path

from langchain_core.documents import Document

from assistant.answer.extractive import NOT_FOUND
from assistant.answer.questions import analyse
from assistant.answer.types import Answerer
from assistant.answer.verification import CitationVerifier, cited_sentences
from assistant.config.parameters import parameters
from assistant.index.chunks import location
from assistant.index.filters import SearchFilter

SECTIONS = ("Background", "Key findings", "Practices observed", "Points for adaptation", "Open questions")
# What each section looks for, phrased as retrieval queries around the topic.
_SECTION_QUERIES = {name: tuple(queries) for name, queries in parameters()["briefing"]["section_queries"].items()}
MAX_BULLETS = parameters()["briefing"]["max_bullets"]


def _location(meta: dict) -> str:
    """A source's section and pages, as citations read them."""
    return location(meta.get("section", ""), meta.get("page"), meta.get("page_end"))


@dataclass(frozen=True)
class Bullet:
    text: str
    citations: tuple[int, ...]
    supported: bool = True


@dataclass
class Briefing:
    topic: str
    sections: dict[str, list[Bullet]]
    sources: list[Document]
    """The cited passages; bullet citation n refers to sources[n - 1]."""
    mode: str = "extractive"
    dropped: int = 0
    """Bullets removed because their citations did not support them."""
    classification: str = ""
    """The highest classification among the sources."""

    def to_markdown(self) -> str:
        lines = [f"# Briefing note: {self.topic}", ""]
        if self.classification:
            lines += [f"**Classification: {self.classification.upper()}** (the highest among its sources)", ""]
        for name in SECTIONS:
            lines += [f"## {name}", ""]
            bullets = self.sections.get(name) or []
            lines += [f"- {_with_markers(b)}" for b in bullets] or ["- The documents give nothing on this."]
            lines.append("")
        lines += ["## Sources", ""]
        for n, passage in enumerate(self.sources, start=1):
            meta = passage.metadata
            where = _location(meta)
            where = f", {where}" if where else ""
            lines.append(f"[{n}] {meta.get('title', '')}{where} ({meta.get('source', '')}; "
                         f"{meta.get('date') or 'undated'}; {meta.get('classification', '')})")
        return "\n".join(lines) + "\n"

    def to_docx(self, path: Path) -> None:
        import docx

        document = docx.Document()
        document.add_heading(f"Briefing note: {self.topic}", level=0)
        if self.classification:
            document.add_paragraph(f"Classification: {self.classification.upper()} (the highest among its sources)")
        for name in SECTIONS:
            document.add_heading(name, level=1)
            bullets = self.sections.get(name) or []
            for bullet in bullets:
                document.add_paragraph(_with_markers(bullet), style="List Bullet")
            if not bullets:
                document.add_paragraph("The documents give nothing on this.")
        document.add_heading("Sources", level=1)
        for n, passage in enumerate(self.sources, start=1):
            meta = passage.metadata
            where = _location(meta)
            where = f" — {where}" if where else ""
            document.add_paragraph(f"[{n}] {meta.get('title', '')}{where} ({meta.get('source', '')})")
        document.save(str(path))

    def save(self, path: Path) -> None:
        suffix = path.suffix.lower()
        if suffix not in (".md", ".docx"):
            raise ValueError(f"the briefing can be saved as .md or .docx, not {suffix or 'a file without extension'}")
        path.parent.mkdir(parents=True, exist_ok=True)
        if suffix == ".md":
            path.write_text(self.to_markdown(), encoding="utf-8")
        else:
            self.to_docx(path)


def _with_markers(bullet: Bullet) -> str:
    markers = "".join(f"[{n}]" for n in bullet.citations)
    match = re.search(r"[.!?]$", bullet.text)
    return f"{bullet.text[:-1]} {markers}{bullet.text[-1]}" if match else f"{bullet.text} {markers}"


class BriefingWriter:
    """Writes a `Briefing` from the indexed documents, via the same retriever and verifier as the chat."""

    def __init__(self, retriever, answerer: Answerer, verifier: CitationVerifier):
        self.retriever = retriever
        self.answerer = answerer
        self.extractive = answerer.embedded
        self.verifier = verifier

    def _retrieve(self, query: str, search_filter: SearchFilter) -> list[Document]:
        return self.retriever.invoke(query, search_filter=search_filter)

    def write(self, topic: str = "", sources: tuple[str, ...] = (), search_filter: SearchFilter | None = None) -> Briefing:
        topic = " ".join(topic.split())
        if not topic and not sources:
            raise ValueError("give a topic, documents, or both")
        base = search_filter or SearchFilter()
        scope = replace(base, sources=tuple(sources) or base.sources)
        subject = topic or "the selected documents"
        queries = {name: [q.format(topic=subject) for q in qs] for name, qs in _SECTION_QUERIES.items()}
        passages = {name: self._passages(qs, scope) for name, qs in queries.items()}
        drafted = self.answerer.draft_briefing(subject, passages, self.verifier)
        return drafted if drafted is not None else self._extractive(subject, queries, passages)

    def _passages(self, queries: list[str], scope: SearchFilter) -> list[Document]:
        seen: dict[str, Document] = {}
        for query in queries:
            for passage in self._retrieve(query, scope):
                seen.setdefault(passage.metadata["chunk_id"], passage)
        return list(seen.values())

    def _extractive(self, topic: str, queries: dict[str, list[str]], passages: dict[str, list[Document]]) -> Briefing:
        numbering: dict[str, int] = {}
        sources: list[Document] = []
        used: set[str] = set()
        sections: dict[str, list[Bullet]] = {}

        def cite(sentence: str, passage: Document) -> Bullet:
            chunk_id = passage.metadata["chunk_id"]
            if chunk_id not in numbering:
                numbering[chunk_id] = len(sources) + 1
                sources.append(passage)
            used.add(sentence)
            return Bullet(sentence, (numbering[chunk_id],))

        for name, section_queries in queries.items():
            if name == "Open questions":
                continue
            ranked = []
            for query in section_queries:
                ranked += self.extractive.candidates(analyse(query), passages[name])
            bullets = []
            for candidate in sorted(ranked, key=lambda c: c.similarity, reverse=True):
                if len(bullets) >= MAX_BULLETS:
                    break
                if candidate.sentence in used or NOT_FOUND.search(candidate.sentence):
                    continue
                bullets.append(cite(candidate.sentence, candidate.passage))
            sections[name] = bullets
        profile = analyse(queries["Open questions"][0])
        open_ranked = [c for c in self.extractive.candidates(profile, passages["Open questions"]) if NOT_FOUND.search(c.sentence)]
        sections["Open questions"] = []
        for candidate in sorted(open_ranked, key=lambda c: c.similarity, reverse=True):
            if len(sections["Open questions"]) < MAX_BULLETS and candidate.sentence not in used:
                sections["Open questions"].append(cite(candidate.sentence, candidate.passage))
        return verify_briefing(Briefing(topic, sections, sources), self.verifier)


def verify_briefing(briefing: Briefing, verifier: CitationVerifier) -> Briefing:
    """Check every bullet against its cited passages; unsupported bullets are dropped and counted."""
    numbered = {n: p.page_content for n, p in enumerate(briefing.sources, start=1)}
    kept: dict[str, list[Bullet]] = {}
    dropped = briefing.dropped
    for name, bullets in briefing.sections.items():
        kept[name] = []
        for bullet in bullets:
            checks = verifier.check(_with_markers(bullet), numbered)
            if checks and all(check.supported for check in checks):
                kept[name].append(Bullet(bullet.text, bullet.citations, True))
            else:
                dropped += 1
    return Briefing(briefing.topic, kept, briefing.sources, briefing.mode, dropped, briefing.classification)


def parse_bullets(markdown: str) -> dict[str, list[Bullet]]:
    """Sections and bullets of a Markdown note ("## Section", "- text [n]")."""
    sections: dict[str, list[Bullet]] = {}
    current = None
    for line in markdown.splitlines():
        heading = re.match(r"^#{1,3}\s+(.+?)\s*$", line)
        if heading:
            name = heading.group(1).strip()
            current = next((s for s in SECTIONS if s.lower() == name.lower()), None)
            if current:
                sections.setdefault(current, [])
            continue
        bullet = re.match(r"^\s*[-*]\s+(.+)$", line)
        if current and bullet:
            for sentence in cited_sentences(bullet.group(1)):
                if sentence.numbers:
                    sections[current].append(Bullet(sentence.text, sentence.numbers))
    return sections
