"""Cut a cleaned PDF into sections at its own headings.

With an outline (bookmarks) the outline entries are the headings, placed by their
destinations. Without one, headings are recognised on the rows: "CHAPTER FOUR",
"PART III", "FIRST SCHEDULE", numbered provisions in their common forms ("12. Title.— text",
"Section 12", see `provisions`), bold numbered titles ("31.  Privacy"), a bold section
number with its title in the margin (Indian acts), and larger or bold short lines.
Numbered units are named as the document names them: "Article 31 — Privacy" in a
text that speaks of "this Article", "Section 5 — ..." in one that speaks of "this section".
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace

from assistant.ingest.documents import Section
from assistant.ingest.pdf_layout import PageText, Row, TableHead
from assistant.ingest.provisions import match_provision, provision_forms
from assistant.ingest.textclean import join_lines
from assistant.text.locate import locate
from assistant.ingest.units import unit_heading

MAX_HEADING_WORDS = 16
_TOP = re.compile(r"^(CHAPTER|PART|Part)\s+([A-Z]+|\d+[A-Z]?|[IVXLC]+)\b|^PREAMBLE$|^(THE\s+)?([A-Z]+\s+)?SCHEDULES?\b")
_NUMBERED = re.compile(r"^(\d+[A-Z]?)\.\s+(\S.*)$")
_NAMED_UNIT = re.compile(r"^(Article|Section|Regulation|Rule)\s+(\d+[A-Z]?)\b[\s.:—–-]*(.*)$")
_LEAD_NUMBER = re.compile(r"^(\d+[A-Z]?)\.$")
_LIST_START = re.compile(r"^(\(\w{1,5}\)|•|[a-z]\)|\d+\.)\s")
_ACT_CITATION = re.compile(r"^\d+ of \d{4}\.$")


@dataclass(frozen=True)
class Mark:
    """Where a heading starts: page, y, and the heading as it will read."""

    page: int
    y: float
    heading: str


@dataclass
class _Open:
    heading: str
    rows: list[Row] = field(default_factory=list)
    table: TableHead | None = None
    keep: bool = False
    """Kept even without text (a numbered provision with nothing under it, e.g. "26. Omitted")."""
    page: int | None = None
    """The page its heading is on."""


def outline_heading(title: str, unit: str) -> str:
    match = _NUMBERED.match(title.strip())
    return unit_heading(match.group(1), match.group(2), unit) if match and unit else title.strip()


def _margin_titles(notes: list[Row]) -> list[tuple[float, str]]:
    """Margin notes grouped into titles (consecutive note lines), with their top y."""
    groups: list[list[Row]] = []
    for note in sorted((n for n in notes if not _ACT_CITATION.match(n.text)), key=lambda r: r.y0):
        if groups and note.y0 - groups[-1][-1].y1 <= 4:
            groups[-1].append(note)
        else:
            groups.append([note])
    return [(g[0].y0, " ".join(r.text for r in g)) for g in groups]


def _short(row: Row) -> bool:
    return len(row.text.split()) <= MAX_HEADING_WORDS


def _is_prominent(row: Row, body: float) -> bool:
    """Larger type, or a wholly bold short line that does not read as a sentence."""
    if row.kind != "text" or not _short(row) or row.text.startswith("("):
        return False
    if row.size >= body * 1.2:
        return True
    return (row.bold and len(row.text.split()) <= 12 and not row.text.endswith((",", ";", ":", "."))
            and not row.text[:1].islower() and not row.text.isdigit())


def _paragraphs(rows: list[Row], known: set[str]) -> str:
    paragraphs: list[list[str]] = []
    previous: Row | None = None
    for row in rows:
        gap = previous is not None and row.page == previous.page and row.y0 - previous.y1 > 1.2 * (row.y1 - row.y0)
        if not paragraphs or row.kind == "table" or previous.kind == "table" or gap or _LIST_START.match(row.text):
            paragraphs.append([])
        paragraphs[-1].append(row.text)
        previous = row
    return "\n".join(join_lines(p, known) for p in paragraphs)


def _page_starts(rows: list[Row], text: str) -> tuple[tuple[int, int], ...]:
    """`(offset, page)` where the text runs onto a later page, found by that page's first row."""
    starts, page = [], rows[0].page
    for row, span in zip(rows, locate(text, (row.text.rstrip("-") for row in rows))):
        if span is not None and row.page != page:
            starts.append((span[0], row.page))
            page = row.page
    return tuple(starts)


def _section(open_: _Open, known: set[str]) -> Section | None:
    if not open_.rows:
        return Section(open_.heading, open_.heading, page=open_.page) if open_.keep and open_.page else None
    text = "\n".join(r.text for r in open_.rows) if open_.table else _paragraphs(open_.rows, known).strip()
    if not text:
        return None
    header = open_.table.header if open_.table else ""
    first, last = open_.rows[0].page, open_.rows[-1].page
    if last == first:
        return Section(open_.heading, text, page=first, header=header)
    return Section(open_.heading, text, page=first, page_end=last, page_starts=_page_starts(open_.rows, text),
                   header=header)


def table_heading(parent: str, caption: str) -> str:
    """A table's section: its caption under the section it stands in ("5.2.2.1. ... — 5.2.2.1.1. Enquiries")."""
    if parent and caption and caption.lower() not in parent.lower():
        return f"{parent} — {caption}"
    return parent or caption


class SectionBuilder:
    """Feed rows in reading order; headings open new sections; `sections()` returns them.

    A table's rows make a section of their own, headed by the table's caption under the section
    it stands in; the text after the table goes on under that section's heading."""

    def __init__(self, known: set[str]):
        self.known = known
        self.done: list[Section] = []
        self.current = _Open("")
        self.parent = ""
        """The heading of the section a table stands in."""
        self.page: int | None = None
        """The page being read."""

    def open(self, heading: str, table: TableHead | None = None, keep: bool = False) -> None:
        """Start a section; `keep` keeps it even when no text comes under its heading."""
        if (section := _section(self.current, self.known)) is not None:
            self.done.append(section)
        self.current = _Open(heading, table=table, keep=keep, page=self.page)
        if table is None:
            self.parent = heading

    def extend_heading(self, text: str) -> None:
        self.current.heading = f"{self.current.heading} {text}"
        self.parent = self.current.heading

    def add(self, row: Row) -> None:
        if row.table is not None and row.table != self.current.table:
            self.open(table_heading(self.parent, row.table.caption), row.table)
        elif row.table is None and self.current.table is not None:
            self.open(self.parent)
        self.current.rows.append(row)

    def sections(self) -> list[Section]:
        self.open("")
        return self.done


def sections_from_outline(pages: list[PageText], marks: list[Mark], known: set[str]) -> list[Section]:
    """Sections bounded by outline destinations; the heading line itself is not repeated in the text."""
    builder = SectionBuilder(known)
    marks = sorted(marks, key=lambda m: (m.page, m.y))
    index = 0
    squash = lambda s: re.sub(r"\W+", "", s).lower()
    for page in pages:
        for row in sorted((r for r in page.rows if r.kind != "note"), key=lambda r: r.y0):
            while index < len(marks) and (marks[index].page, marks[index].y - 2) <= (row.page, row.y0):
                builder.open(marks[index].heading)
                index += 1
            heading = squash(builder.current.heading)
            if not builder.current.rows and squash(row.text) and squash(row.text) in heading:
                continue
            builder.add(row)
    return builder.sections()


def sections_from_rows(pages: list[PageText], body: float, unit: str, known: set[str]) -> list[Section]:
    """Sections at headings recognised on the rows themselves (see the module docstring)."""
    builder = SectionBuilder(known)
    schedule = ""
    previous, last_size = "body", 0.0
    forms = provision_forms([r.text for p in pages for r in p.rows if r.kind == "text"])
    for page in pages:
        builder.page = page.number
        titles = _margin_titles([r for r in page.rows if r.kind == "note"])
        for row in sorted((r for r in page.rows if r.kind != "note"), key=lambda r: r.y0):
            text = row.text
            kind = "body"
            if row.kind == "text" and _short(row) and _TOP.match(text):
                kind = "top"
                if "SCHEDULE" in text or text.startswith("CHAPTER"):
                    schedule = text if "SCHEDULE" in text and "SCHEDULES" not in text else ""
                builder.open(text)
            elif previous == "top" and row.kind == "text" and _short(row) and text.isupper():
                kind = "top"
                builder.extend_heading(text)
                schedule = builder.current.heading if schedule and "SCHEDULE" in builder.current.heading else schedule
            elif previous == "unit" and row.bold and _short(row) and not _NUMBERED.match(text) \
                    and not builder.current.rows and any(c.isalnum() for c in text):
                kind = previous
                builder.extend_heading(text)
            elif row.kind == "text" and (provision := match_provision(text, forms, row.lead)):
                kind = "unit"
                builder.open(unit_heading(provision.number, provision.title, unit or "Section", schedule), keep=True)
                if provision.rest:
                    builder.add(replace(row, text=provision.rest))
            elif row.bold and _short(row) and (m := _NUMBERED.match(text) or _NAMED_UNIT.match(text)):
                kind = "unit"
                number, title = (m.group(1), m.group(2)) if m.re is _NUMBERED else (m.group(2), m.group(3))
                builder.open(unit_heading(number, title, unit, schedule), keep=bool(forms))
            elif (m := _LEAD_NUMBER.match(row.lead)) and not row.bold and \
                    (title := next((t for y, t in titles if abs(y - row.y0) <= 6), "")):
                builder.open(unit_heading(m.group(1), title, unit or "Section", schedule))
                builder.add(row)
            elif _is_prominent(row, body):
                kind = "prominent"
                if previous == "prominent" and not builder.current.rows and abs(row.size - last_size) < 0.5:
                    builder.extend_heading(text)
                else:
                    builder.open(text)
            else:
                builder.add(row)
            previous, last_size = kind, row.size
    return builder.sections()
