"""Read a PDF's text as positioned rows, one per visual line, with PyMuPDF.

Lines that share a baseline are merged into one row ("(a)" + its text); margin
notes (small type outside the text column, as in Indian Gazette acts) are kept
apart; spans in a font whose text does not read as words (a legacy Hindi font
without Unicode mapping) are dropped and reported.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, replace

from assistant.ingest.textclean import is_unreadable, normalise

BOLD_FLAG = 16
COLUMN_GAP = 20.0
"""Points of empty space between two pieces of a row that suggest table columns."""


@dataclass(frozen=True)
class Piece:
    """One stretch of text on a row, as the PDF placed it (a table cell, a section number)."""

    x0: float
    x1: float
    text: str
    bold: bool


@dataclass(frozen=True)
class TableHead:
    """What every row of one table shares: its caption (the line that introduces it, or "") and
    its column header as a line ("Columns: Zone; B/F on 01.01.23; Registered; ...")."""

    key: str
    caption: str
    header: str


@dataclass(frozen=True)
class Row:
    """One visual line of a page. `lead` is the leading bold text (e.g. a section number, or a number
    and the bold title set after it)."""

    page: int
    x0: float
    y0: float
    x1: float
    y1: float
    text: str
    size: float
    bold: bool
    lead: str = ""
    kind: str = "text"  # "text", "note" (margin note), "table" (a rendered table row)
    columns: int = 1
    """Pieces of the row separated by a wide gap (a sign of a table)."""
    pieces: tuple[Piece, ...] = ()
    """The row's pieces left to right (a row merged from several lines on one baseline has several)."""
    table: TableHead | None = None
    """For a rendered table row (kind "table"): the table it belongs to."""

    def parts(self) -> tuple[Piece, ...]:
        """The row's pieces; a row read as one line is one piece."""
        return self.pieces or (Piece(self.x0, self.x1, self.text, self.bold),)


@dataclass
class PageText:
    number: int
    width: float
    height: float
    rows: list[Row]
    has_images: bool
    raw_chars: int
    """Characters in the text layer, before anything is dropped."""
    dropped_chars: int = 0
    """Characters dropped because their font does not read as words."""


def _span_bold(span: dict) -> bool:
    return bool(span["flags"] & BOLD_FLAG) or "bold" in span["font"].lower()


def _line_row(page: int, line: dict, dropped_fonts: set[str]) -> Row | None:
    spans = [s for s in line["spans"] if s["font"] not in dropped_fonts]
    text = normalise("".join(s["text"] for s in spans))
    if not text:
        return None
    visible = [s for s in spans if s["text"].strip()]
    sizes = Counter()
    for s in visible:
        sizes[round(s["size"], 1)] += len(s["text"].strip())
    lead = ""
    for s in visible:
        if not _span_bold(s):
            break
        lead += s["text"]
    x0 = min(s["bbox"][0] for s in visible)
    x1 = max(s["bbox"][2] for s in visible)
    y0, y1 = line["bbox"][1], line["bbox"][3]
    return Row(page, x0, y0, x1, y1, text, sizes.most_common(1)[0][0], all(_span_bold(s) for s in visible),
               normalise(lead))


def unreadable_fonts(pages: list[dict]) -> set[str]:
    """Fonts whose text, over the whole document, does not read as words."""
    by_font: dict[str, list[str]] = defaultdict(list)
    for page in pages:
        for block in page["blocks"]:
            for line in block.get("lines", []):
                for span in line["spans"]:
                    by_font[span["font"]].append(span["text"])
    return {font for font, texts in by_font.items() if is_unreadable(" ".join(texts))}


def body_size(pages: list[PageText]) -> float:
    """The type size that carries most characters: the body text."""
    sizes: Counter[float] = Counter()
    for page in pages:
        for row in page.rows:
            sizes[round(row.size)] += len(row.text)
    return float(sizes.most_common(1)[0][0]) if sizes else 10.0


def _merge_baseline(rows: list[Row]) -> list[Row]:
    """Merge rows whose vertical centres agree (within 3 pt) into one row, left to right."""
    merged: list[list[Row]] = []
    for row in sorted(rows, key=lambda r: ((r.y0 + r.y1) / 2, r.x0)):
        centre = (row.y0 + row.y1) / 2
        if merged and abs(centre - (merged[-1][0].y0 + merged[-1][0].y1) / 2) <= 3:
            merged[-1].append(row)
        else:
            merged.append([row])
    out = []
    for group in merged:
        group.sort(key=lambda r: r.x0)
        first = group[0]
        out.append(replace(
            first, x1=max(r.x1 for r in group), y1=max(r.y1 for r in group),
            text=" ".join(r.text for r in group), bold=all(r.bold for r in group),
            size=max((r.size for r in group), key=lambda s: sum(len(r.text) for r in group if r.size == s)),
            lead=_lead(group),
            pieces=tuple(Piece(r.x0, r.x1, r.text, r.bold) for r in group),
            columns=1 + sum(b.x0 - a.x1 >= COLUMN_GAP for a, b in zip(group, group[1:])),
        ))
    return out


def _lead(group: list[Row]) -> str:
    """The bold text leading a merged row: the first line's, running on into the next line's when the
    first is all bold or only a number ("13B." + "Prohibition of employ.", "6 [13A." + "Prohibition ...")."""
    first = group[0]
    if len(group) > 1 and group[1].lead and (first.lead == first.text or
                                             (len(first.text) <= 12 and any(c.isdigit() for c in first.text))):
        return normalise(f"{first.text} {group[1].lead}")
    return first.lead


def _split_margin_notes(rows: list[Row], size: float) -> list[Row]:
    """Mark small-type lines outside the body column (margin notes) as kind "note"."""
    body = [r for r in rows if abs(r.size - size) < 0.6 and len(r.text) > 30]
    if not body:
        return rows
    left, right = min(r.x0 for r in body), max(r.x1 for r in body)
    return [
        replace(r, kind="note") if r.size < size * 0.9 and (r.x0 >= right - 1 or r.x1 <= left + 1) else r
        for r in rows
    ]


def read_pages(document) -> tuple[list[PageText], set[str]]:
    """Rows for every page of an open `pymupdf.Document`, and the fonts dropped as unreadable."""
    import pymupdf

    flags = pymupdf.TEXTFLAGS_DICT & ~pymupdf.TEXT_PRESERVE_IMAGES
    raw = [page.get_text("dict", flags=flags) for page in document]
    dropped = unreadable_fonts(raw)
    pages = []
    for number, (page, data) in enumerate(zip(document, raw), start=1):
        lines = [line for block in data["blocks"] for line in block.get("lines", [])]
        rows = [row for line in lines if (row := _line_row(number, line, dropped))]
        spans = [s for line in lines for s in line["spans"]]
        pages.append(PageText(number, page.rect.width, page.rect.height, rows, bool(page.get_images(full=False)),
                              sum(len(s["text"].strip()) for s in spans),
                              sum(len(s["text"].strip()) for s in spans if s["font"] in dropped)))
    size = body_size(pages)
    for page in pages:
        notes = _split_margin_notes(page.rows, size)
        page.rows = _merge_baseline([r for r in notes if r.kind == "text"]) + [r for r in notes if r.kind == "note"]
    return pages, dropped
