"""Briefing notes for trainers: five fixed sections, every bullet carrying verified citations, and the
numbered list of the passages they cite. Export as Markdown or DOCX.

The note is written by `assistant.answer.briefing_writer` (embedded mode, or an LLM draft verified
bullet by bullet); two notes side by side make a `assistant.answer.comparison.Comparison`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from pathlib import Path

from langchain_core.documents import Document

from assistant.answer.verification import CitationVerifier, cited_sentences
from assistant.config.parameters import parameters
from assistant.index.chunks import location
from assistant.text.markup import markdown_text

SECTIONS = ("Background", "Key findings", "Practices observed", "Points for adaptation", "Open questions")
SECTION_QUESTIONS = {
    "Background": "What the topic is, and its legal basis.",
    "Key findings": "The most informative facts about the topic, with figures.",
    "Practices observed": "What is done, by whom, and how.",
    "Points for adaptation": "Each practice set against what the documents say of the other side.",
    "Open questions": "What the documents leave unsettled on the topic.",
}
LENGTHS: dict[str, int] = dict(parameters()["briefing"]["lengths"])
"""Bullets per section for each length a note can be written at."""
DEFAULT_LENGTH = "standard"
EMPTY = {
    "Open questions": "The documents flag nothing on this topic as unknown, unconfirmed or disputed.",
}
NOTHING = "The documents give nothing on this."


def bullets_for(length: str) -> int:
    """Bullets per section for a length name (`one-page` or `standard`); a clear error for any other."""
    if length not in LENGTHS:
        raise ValueError(f"unknown length {length!r}; choose from {', '.join(LENGTHS)}")
    return LENGTHS[length]


def _location(meta: dict) -> str:
    """A source's section and pages, as citations read them."""
    return location(meta.get("section", ""), meta.get("page"), meta.get("page_end"))


@dataclass(frozen=True)
class Bullet:
    text: str
    citations: tuple[int, ...]
    supported: bool = True
    more: tuple[str, ...] = ()
    """Further statements of the same passage, parallel to `text` (the same figure for another year, say)."""
    against: "Bullet | None" = None
    """Points for adaptation: what the documents say of the other side, set against this practice."""
    side: str = ""
    """The other side's name (shown before `against`, or in the line saying the documents are silent on it)."""

    @property
    def plain(self) -> str:
        """What the bullet says, without citation markers (its statements, and the counterpart)."""
        return " ".join(text for text, _ in self.claims())

    def claims(self) -> list[tuple[str, tuple[int, ...]]]:
        """Each quoted statement with its citations, as verification checks them."""
        own = [(text, self.citations) for text in (self.text, *self.more)]
        return own + ([(self.against.text, self.against.citations)] if self.against else [])


SOURCE_ANCHOR = "note-source-{n}"
"""The id of source n in a note rendered as Markdown: each `[n]` links to it."""


def with_markers(text: str, citations: tuple[int, ...], links: bool = False) -> str:
    """`text` with its `[n]` markers before the closing punctuation (Markdown links to the sources when `links`)."""
    markers = "".join(f"[[{n}]](#{SOURCE_ANCHOR.format(n=n)})" if links else f"[{n}]" for n in citations)
    return f"{text[:-1]} {markers}{text[-1]}" if re.search(r"[.!?]$", text) else f"{text} {markers}"


def render_bullet(bullet: Bullet, markdown: bool = True) -> str:
    """The bullet as one line: its statement with markers, then (adaptation) the other side's counterpart. In
    Markdown the documents' words are escaped (they show as typed, never as markup), each `[n]` links to its
    source and the side is in italics."""
    say = markdown_text if markdown else str
    emphasis = "*" if markdown else ""
    line = " ".join(with_markers(say(text), bullet.citations, markdown) for text in (bullet.text, *bullet.more))
    if bullet.against is not None:
        line += (f" {emphasis}{say(bullet.side)}:{emphasis} "
                 f"{with_markers(say(bullet.against.text), bullet.against.citations, markdown)}")
    elif bullet.side:
        line += f" {emphasis}{say(bullet.side)}: the documents say nothing on this.{emphasis}"
    return line


def source_label(passage: Document) -> str:
    """"Title — section, p. N, date, classification (source)": how the source list names a passage."""
    meta = passage.metadata
    details = ", ".join(filter(None, [_location(meta), meta.get("date") or "undated", meta.get("classification", "")]))
    return f"{meta.get('title') or meta.get('source', '')} — {details} ({meta.get('source', '')})"


def source_line(n: int, passage: Document, markdown: bool = False) -> str:
    """One entry of the numbered source list; in Markdown escaped, and the target of the `[n]` links."""
    if markdown:
        return f"{n}. <a id=\"{SOURCE_ANCHOR.format(n=n)}\"></a>{markdown_text(source_label(passage))}"
    return f"{n}. {source_label(passage)}"


def merged_sources(sources: list[Document]) -> tuple[list[Document], dict[int, int]]:
    """The passages with those the list would name alike (two passages of one section and page) listed once,
    and each old number's new one."""
    kept: list[Document] = []
    first: dict[str, int] = {}
    numbers: dict[int, int] = {}
    for n, passage in enumerate(sources, start=1):
        label = source_label(passage)
        if label not in first:
            kept.append(passage)
            first[label] = len(kept)
        numbers[n] = first[label]
    return kept, numbers


def renumbered(bullet: Bullet, numbers: dict[int, int]) -> Bullet:
    """The bullet citing by `numbers` (old -> new), each new number once."""
    against = renumbered(bullet.against, numbers) if bullet.against else None
    return replace(bullet, citations=tuple(dict.fromkeys(numbers[n] for n in bullet.citations)), against=against)


def sources_markdown(sources: list[Document]) -> list[str]:
    return [source_line(n, passage, markdown=True) for n, passage in enumerate(sources, start=1)] or ["No passage is cited."]


def new_docx(title: str, classification: str, notes: list[str]):
    """A DOCX note opened with its title, its classification (when it has one) and its notes."""
    import docx

    document = docx.Document()
    document.add_heading(title, level=0)
    if classification:
        document.add_paragraph(f"Classification: {classification.upper()} (the highest among its sources)")
    for note in notes:
        document.add_paragraph(note)
    return document


def add_sources_docx(document, sources: list[Document]) -> None:
    document.add_heading("Sources", level=1)
    for n, passage in enumerate(sources, start=1):
        document.add_paragraph(source_line(n, passage), style="List")


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
    length: str = DEFAULT_LENGTH
    notes: list[str] = field(default_factory=list)
    """What a reader should know about how the note was made (e.g. a comparison composed without the LLM)."""

    def pruned(self) -> "Briefing":
        """The note citing only what its bullets cite, its passages renumbered in reading order."""
        numbers: dict[int, int] = {}
        for name in SECTIONS:
            for bullet in self.sections.get(name, []):
                for n in (*bullet.citations, *(bullet.against.citations if bullet.against else ())):
                    numbers.setdefault(n, len(numbers) + 1)

        sources = [self.sources[old - 1] for old, _ in sorted(numbers.items(), key=lambda item: item[1])]
        return self.cited_as(numbers, sources)

    def merged(self) -> "Briefing":
        """The note with passages its source list would name alike listed once (see `merged_sources`)."""
        sources, numbers = merged_sources(self.sources)
        return self.cited_as(numbers, sources)

    def cited_as(self, numbers: dict[int, int], sources: list[Document]) -> "Briefing":
        """The note citing `sources`, each of its citation numbers n now `numbers[n]`."""
        return replace(self, sections={name: [renumbered(b, numbers) for b in bullets]
                                       for name, bullets in self.sections.items()}, sources=sources)

    def section_lines(self, name: str) -> list[str]:
        bullets = self.sections.get(name) or []
        return [render_bullet(b) for b in bullets] or [EMPTY.get(name, NOTHING)]

    def to_markdown(self) -> str:
        """The note as Markdown: the documents' words escaped, each `[n]` a link to source n, each source listed once."""
        return self.merged()._markdown()

    def _markdown(self) -> str:
        lines = [f"# Briefing note: {markdown_text(self.topic)}", ""]
        if self.classification:
            lines += [f"**Classification: {markdown_text(self.classification.upper())}** (the highest among its sources)", ""]
        lines += [f"*{markdown_text(note)}*" for note in self.notes] + ([""] if self.notes else [])
        for name in SECTIONS:
            lines += [f"## {name}", ""]
            lines += [f"- {line}" for line in self.section_lines(name)]
            lines.append("")
        lines += ["## Sources", "", *sources_markdown(self.sources)]
        return "\n".join(lines) + "\n"

    def to_docx(self, path: Path) -> None:
        """The note as DOCX (plain text: nothing in it is markup), each source listed once."""
        self.merged()._docx(path)

    def _docx(self, path: Path) -> None:
        document = new_docx(f"Briefing note: {self.topic}", self.classification, self.notes)
        for name in SECTIONS:
            document.add_heading(name, level=1)
            bullets = self.sections.get(name) or []
            for bullet in bullets:
                document.add_paragraph(render_bullet(bullet, markdown=False), style="List Bullet")
            if not bullets:
                document.add_paragraph(EMPTY.get(name, NOTHING))
        add_sources_docx(document, self.sources)
        document.save(str(path))

    def save(self, path: Path) -> None:
        save_note(self, path)


def save_note(note, path: Path) -> None:
    """Write a note (anything with `to_markdown` and `to_docx`) as .md or .docx."""
    suffix = path.suffix.lower()
    if suffix not in (".md", ".docx"):
        raise ValueError(f"the briefing can be saved as .md or .docx, not {suffix or 'a file without extension'}")
    path.parent.mkdir(parents=True, exist_ok=True)
    if suffix == ".md":
        path.write_text(note.to_markdown(), encoding="utf-8")
    else:
        note.to_docx(path)


def supported(bullet: Bullet, verifier: CitationVerifier, numbered: dict[int, str]) -> bool:
    """Every statement of the bullet is supported by the passages it cites."""
    for text, citations in bullet.claims():
        checks = verifier.check(with_markers(text, citations), numbered)
        if not checks or not all(check.supported for check in checks):
            return False
    return True


def verify_briefing(briefing: Briefing, verifier: CitationVerifier) -> Briefing:
    """Check every bullet against its cited passages; unsupported bullets are dropped and counted."""
    numbered = {n: p.page_content for n, p in enumerate(briefing.sources, start=1)}
    kept: dict[str, list[Bullet]] = {}
    dropped = briefing.dropped
    for name, bullets in briefing.sections.items():
        kept[name] = []
        for bullet in bullets:
            if supported(bullet, verifier, numbered):
                kept[name].append(bullet)
            else:
                dropped += 1
    return Briefing(briefing.topic, kept, briefing.sources, briefing.mode, dropped, briefing.classification,
                    briefing.length, briefing.notes)


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
