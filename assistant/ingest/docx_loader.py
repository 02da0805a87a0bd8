"""Load DOCX into sections under its heading styles, with Word's list numbering restored; a table
becomes a section of its own, one row statement a line under its first row as header (`table_text`).

Numbers that Word draws from `numbering.xml` (numPr -> num -> abstractNum -> lvl) are not in
the paragraph text; `Numbering` replays the counters so "(2)", "(a)" and an article's "5."
come back. A heading whose first paragraph carries a top-level "N." number becomes
"Article N — Title" ("Section N — ..." in a text that speaks of sections).
"""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

from assistant.ingest.docmeta import legal_title, usable_metadata_title
from assistant.ingest.documents import DocumentError, Section
from assistant.ingest.table_text import header_line, row_statement
from assistant.ingest.units import unit_heading, unit_word
from assistant.ingest.textclean import normalise, rejoin_hyphens, vocabulary

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_TOP_NUMBER = re.compile(r"^(\d+[A-Z]?)\.$")


def _roman(n: int) -> str:
    out = ""
    for value, letters in ((1000, "m"), (900, "cm"), (500, "d"), (400, "cd"), (100, "c"), (90, "xc"),
                           (50, "l"), (40, "xl"), (10, "x"), (9, "ix"), (5, "v"), (4, "iv"), (1, "i")):
        while n >= value:
            out, n = out + letters, n - value
    return out


def _format(value: int, fmt: str) -> str:
    if fmt == "lowerLetter":
        return chr(ord("a") + (value - 1) % 26)
    if fmt == "upperLetter":
        return chr(ord("A") + (value - 1) % 26)
    if fmt in ("lowerRoman", "upperRoman"):
        return _roman(value) if fmt == "lowerRoman" else _roman(value).upper()
    return str(value)


class Numbering:
    """Replays Word list counters: `label(numId, ilvl)` gives the next label, e.g. "(2)"."""

    def __init__(self, part):
        self.levels: dict[str, dict[int, tuple[int, str, str]]] = {}
        self.counters: dict[str, list[int]] = {}
        if part is None:
            return
        root = part.element
        abstract = {
            a.get(f"{W}abstractNumId"): {
                int(lvl.get(f"{W}ilvl")): (
                    int(self._val(lvl, "start") or 1), self._val(lvl, "numFmt") or "decimal", self._val(lvl, "lvlText") or "")
                for lvl in a.findall(f"{W}lvl")
            }
            for a in root.findall(f"{W}abstractNum")
        }
        for num in root.findall(f"{W}num"):
            ref = num.find(f"{W}abstractNumId")
            if ref is not None and ref.get(f"{W}val") in abstract:
                self.levels[num.get(f"{W}numId")] = abstract[ref.get(f"{W}val")]

    @staticmethod
    def _val(element, name: str) -> str | None:
        child = element.find(f"{W}{name}")
        return child.get(f"{W}val") if child is not None else None

    def label(self, num_id: str, level: int) -> str:
        levels = self.levels.get(num_id, {})
        if level not in levels or levels[level][1] in ("bullet", "none"):
            return ""
        counters = self.counters.setdefault(num_id, [levels[i][0] - 1 if i in levels else 0 for i in range(9)])
        counters[level] += 1
        for deeper in range(level + 1, 9):
            counters[deeper] = levels[deeper][0] - 1 if deeper in levels else 0
        text = levels[level][2]
        for i in range(level + 1):
            fmt = levels[i][1] if i in levels else "decimal"
            text = text.replace(f"%{i + 1}", _format(counters[i], fmt))
        return text


def _num_pr(paragraph) -> tuple[str, int] | None:
    ppr = paragraph._p.pPr
    if ppr is None or ppr.numPr is None or ppr.numPr.numId is None:
        return None
    level = ppr.numPr.ilvl.val if ppr.numPr.ilvl is not None else 0
    return str(ppr.numPr.numId.val), int(level)


def _table_item(table) -> tuple[str, str, str] | None:
    """A Word table as ("table", header line, one row statement a line); its first row is the header.
    A cell merged across columns is read once."""
    grid = []
    for row in table.rows:
        cells, previous = [], None
        for cell in row.cells:
            if cell._tc is not previous:
                cells.append(normalise(cell.text))
            previous = cell._tc
        grid.append(cells)
    if not grid or not any(any(r) for r in grid):
        return None
    header, body = (grid[0], grid[1:]) if len(grid) > 1 else ([], grid)
    rows = [statement for cells in body if (statement := row_statement(header, cells))]
    if not rows:  # a table of one row: its cells as text
        rows = [statement for statement in (row_statement([], header),) if statement]
        header = []
    return ("table", header_line(header), "\n".join(rows)) if rows else None


def load_docx(data: bytes, path: Path) -> tuple[dict, list[Section]]:
    """Sections of a DOCX under its Heading styles, numbering restored."""
    import docx

    try:
        document = docx.Document(io.BytesIO(data))
    except (zipfile.BadZipFile, KeyError, ValueError) as exc:
        raise DocumentError(f"not a readable DOCX ({exc.__class__.__name__}: {exc})") from None
    try:
        numbering = Numbering(document.part.numbering_part)
    except (KeyError, NotImplementedError):
        numbering = Numbering(None)
    items: list[tuple[str, str, str]] = []  # (kind, label, text); a table: ("table", its header line, its rows)
    for block in document.iter_inner_content():
        if isinstance(block, docx.table.Table):
            if table := _table_item(block):
                items.append(table)
            continue
        paragraph = block
        text = normalise(paragraph.text)
        style = (paragraph.style.name if paragraph.style is not None else "") or ""
        num = _num_pr(paragraph)
        label = numbering.label(*num) if num else ""
        if not text:
            continue
        kind = "title" if style == "Title" else "heading" if style.startswith("Heading") else "text"
        items.append((kind, label, text))
    texts = [t for _, _, t in items]
    known, unit = vocabulary(texts), unit_word(texts)
    sections: list[Section] = []
    heading, paragraphs = "", []
    for index, (kind, label, text) in enumerate(items):
        if kind == "table":
            if paragraphs:
                sections.append(Section(heading, rejoin_hyphens("\n".join(paragraphs), known)))
                paragraphs = []
            sections.append(Section(heading, text, header=label))
        elif kind == "heading":
            if paragraphs:
                sections.append(Section(heading, rejoin_hyphens("\n".join(paragraphs), known)))
            following = items[index + 1] if index + 1 < len(items) else ("", "", "")
            number = _TOP_NUMBER.match(following[1]) if following[0] == "text" else None
            heading, paragraphs = (unit_heading(number.group(1), text, unit) if number else text), []
        elif kind == "text" and not paragraphs and not label and text.isupper() and items[index - 1][0] == "heading":
            heading = f"{heading} — {text}"
        elif kind == "text":
            paragraphs.append(text if not label or text.startswith(label) or _TOP_NUMBER.match(label)
                              else f"{label} {text}")
    if paragraphs:
        sections.append(Section(heading, rejoin_hyphens("\n".join(paragraphs), known)))
    props = document.core_properties
    title = usable_metadata_title(props.title, path.stem) or next((t for k, _, t in items if k == "title"), "") \
        or legal_title([t for _, _, t in items[:20]])
    return ({"title": title} if title else {}), sections
