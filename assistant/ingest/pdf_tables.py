"""Tables in PDFs, kept one row per line: "Entry 1: Breach ... — Penalty: May extend to ...".

A row is rendered as one sentence (no full stop inside it), so a sentence splitter
cannot part a breach from its penalty.

PyMuPDF's `find_tables` is accurate but costs about half a second a page, so it only
runs on pages whose rows show column gaps.
"""

from __future__ import annotations

import re

from assistant.ingest.pdf_layout import PageText, Row
from assistant.ingest.textclean import normalise

MIN_COLUMN_ROWS = 3
_COLUMN_NUMBERS = re.compile(r"^\(?\d+\)?$")
_SERIAL = re.compile(r"^(\d+[A-Z]?\.?|[ivxlc]+\.?|\([a-z0-9]+\))$", re.I)


def table_candidates(pages: list[PageText]) -> list[int]:
    """Pages with at least three rows split into columns by wide gaps."""
    return [p.number for p in pages if sum(r.columns >= 2 for r in p.rows if r.kind == "text") >= MIN_COLUMN_ROWS]


def _cell_text(page, cell) -> str:
    return normalise(page.get_text("text", clip=cell).replace("\n", " ")) if cell else ""


def table_rows(page, table) -> tuple[list[str], list[tuple[float, list[str]]]]:
    """The table's header and its data rows (y, cells); rows continuing a cell are merged up."""
    header: list[str] = []
    rows: list[tuple[float, list[str]]] = []
    for row in table.rows:
        cells = [_cell_text(page, c) for c in row.cells]
        if all(_COLUMN_NUMBERS.match(c) or not c for c in cells):
            continue
        if not header and not rows:
            header = cells
        elif rows and not cells[0]:
            rows[-1][1][:] = [f"{a} {b}".strip() for a, b in zip(rows[-1][1], cells)]
        else:
            rows.append((row.bbox[1], cells))
    return header, rows


def render_row(header: list[str], cells: list[str]) -> str:
    """One sentence per row: "Entry N:", the first cell, then "Header: cell" for the others."""
    parts = [c.rstrip(" .;") for c in cells]
    prefix = ""
    if len(parts) > 2 and _SERIAL.match(parts[0]):
        prefix, parts, header = f"Entry {parts[0].rstrip('.')}: ", parts[1:], header[1:]
    labelled = [parts[0]] + [
        f"{h.rstrip(' .:')}: {p}" if h and h != p else p for h, p in zip(header[1:], parts[1:]) if p
    ]
    return prefix + " — ".join(x for x in labelled if x) + "."


def replace_tables(document, pages: list[PageText]) -> int:
    """Swap the rows inside each detected table for one row per table row; return tables found."""
    found = 0
    for number in table_candidates(pages):
        page, text = document[number - 1], pages[number - 1]
        for table in page.find_tables().tables:
            header, rows = table_rows(page, table)
            if len(rows) < 2:
                continue
            found += 1
            x0, y0, x1, y1 = table.bbox
            text.rows = [r for r in text.rows if not (y0 - 1 <= (r.y0 + r.y1) / 2 <= y1 + 1 and r.x0 < x1 and r.x1 > x0)]
            text.rows += [
                Row(number, x0, y, x1, y + 1, render_row(header, cells), 0.0, False, kind="table")
                for y, cells in rows
            ]
    return found
