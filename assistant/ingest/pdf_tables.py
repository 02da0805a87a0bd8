"""Tables in PDFs, kept one row statement per table row (see `table_text`).

Tables of figures are recognised in the text lines first (`pdf_grid`): it is cheap and reads
headers that `find_tables` splits or misses. PyMuPDF's `find_tables` then looks for the other
tables (rows of text, such as a schedule of penalties); it is accurate but costs about half a
second a page, so it only runs on pages whose remaining rows show column gaps.
"""

from __future__ import annotations

import re

from assistant.ingest.pdf_grid import caption_above, replace_grids
from assistant.ingest.pdf_layout import PageText, Row, TableHead
from assistant.ingest.table_text import header_line, row_statement
from assistant.ingest.textclean import normalise

MIN_COLUMN_ROWS = 3
_COLUMN_NUMBERS = re.compile(r"^\(?\d+\)?$")
_MARKER = re.compile(r"^(\d+(\.\d+)*\.?|\(?[0-9a-zA-Z]{1,4}[.)]|\([ivxlcIVXLC]+\))$")
"""A section number or list marker set apart from its text ("5.2.1.", "(a)", "iv)"): no table column."""


def _columned(row: Row) -> bool:
    """A row split into columns by wide gaps, other than a number or marker set apart from its text."""
    return row.kind == "text" and (row.columns >= 3 or row.columns == 2 and not _MARKER.match(row.parts()[0].text))


def table_candidates(pages: list[PageText]) -> list[int]:
    """Pages with at least three rows split into columns."""
    return [p.number for p in pages if sum(_columned(r) for r in p.rows) >= MIN_COLUMN_ROWS]


def _cell_text(page, cell) -> str:
    return normalise(page.get_text("text", clip=cell).replace("\n", " ")) if cell else ""


def table_rows(page, table) -> tuple[list[str], list[tuple[float, list[str]]]]:
    """The table's header and its data rows (y, cells): columns empty in every row dropped, a header
    set on several rows joined, rows continuing a cell (no first cell) merged up."""
    grid = [(row.bbox[1], [_cell_text(page, c) for c in row.cells]) for row in table.rows]
    filled = [j for j in range(max((len(cells) for _, cells in grid), default=0)) if any(
        j < len(cells) and cells[j] for _, cells in grid)]
    header: list[str] = []
    rows: list[tuple[float, list[str]]] = []
    for y, cells in grid:
        cells = [cells[j] if j < len(cells) else "" for j in filled]
        if all(_COLUMN_NUMBERS.match(c) or not c for c in cells):
            continue
        if not header and not rows:
            header = cells
        elif not cells[0] and not rows:
            header = [f"{a} {b}".strip() for a, b in zip(header, cells)]
        elif rows and not cells[0]:
            rows[-1][1][:] = [f"{a} {b}".strip() for a, b in zip(rows[-1][1], cells)]
        else:
            rows.append((y, cells))
    return header, rows


def _inside(row: Row, bbox) -> bool:
    x0, y0, x1, y1 = bbox
    return y0 - 1 <= (row.y0 + row.y1) / 2 <= y1 + 1 and row.x0 < x1 and row.x1 > x0


def replace_tables(document, pages: list[PageText]) -> int:
    """Swap the rows inside each detected table for one statement row per table row; return tables found."""
    found = replace_grids(pages)
    for number in table_candidates(pages):
        page, text = document[number - 1], pages[number - 1]
        for index, table in enumerate(page.find_tables().tables):
            if any(r.kind == "table" and _inside(r, table.bbox) for r in text.rows):
                continue  # a table of figures already read from the text lines
            header, rows = table_rows(page, table)
            if len(rows) < 2:
                continue
            found += 1
            caption = caption_above(text.rows, table.bbox[1])
            head = TableHead(f"p{number}f{index}", caption.text if caption else "", header_line(header))
            x0, _, x1, _ = table.bbox
            used = {id(r) for r in caption.rows} if caption else set()
            text.rows = [r for r in text.rows if not (r.kind == "text" and _inside(r, table.bbox)) and id(r) not in used]
            text.rows += [
                Row(number, x0, y, x1, y + 1, statement, 0.0, False, kind="table", table=head)
                for y, cells in rows if (statement := row_statement(header, cells))
            ]
    return found
