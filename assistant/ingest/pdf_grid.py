"""Tables of figures recognised in a page's text lines, where `find_tables` finds none or
finds them garbled: header lines over columns of numbers.

A table is a run of two or more lines that each end in figures ("Lahore Zone 846 2330 3176
..."), whose pieces line up in columns, with header lines just above whose pieces sit over
those columns ("Zone", "B/F / On / 01.01.23", "Registered", ...). A header cell set on
several lines is read top to bottom; a header over two columns ("By Air" over "Pak
Nationals" and "Foreigners") names both. The line just above the header is the table's
caption ("5.2.2.1.1. Enquiries:"). A label wrapped onto a line of its own joins its row.
Without header lines, a first line of years or of bold type over plain figures is the header;
a table at the top of a page with no header continues the last table when its columns match.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from assistant.ingest.pdf_layout import PageText, Piece, Row, TableHead
from assistant.ingest.table_text import cell_text, header_line, is_number, is_year, row_statement

MIN_BODY_LINES = 2
MAX_HEADER_LINES = 5
MAX_HEADER_PIECE_WORDS = 8
MAX_CAPTION_WORDS = 20
HEADER_GAP = 1.5
"""Line heights of space allowed between header lines, and between the header and the body."""
HEADER_OVERHANG = 60.0
"""Points a header line may reach beyond the outer columns (a wide name over a narrow column of figures)."""
NUMERIC_SHARE = 0.6
"""A column is a column of figures when this share of its filled cells are figures."""
_DECIMAL = re.compile(r"(?<![\d.])\d+\.\d+(?![\d.])")
"""A figure with decimals ("952.546"): a cell's value, never a column's name (a date "01.01.23" has two points)."""
_HEADING_NUMBER = re.compile(r"^\d+(\.\d+)*\.$|^\d+(\.\d+)*\.\s")


@dataclass
class Line:
    """Rows of a page that share a height (a label set a little lower than its figures included)."""

    rows: list[Row]
    pieces: list[Piece]
    y0: float
    y1: float
    size: float
    continuation: bool = False

    @property
    def height(self) -> float:
        return self.y1 - self.y0

    @property
    def text(self) -> str:
        return " ".join(p.text for p in self.pieces)


@dataclass
class Grid:
    """A recognised table: its columns, header names, body lines and caption line."""

    columns: list[tuple[float, float]]
    names: list[str]
    body: list[Line]
    header: list[Line] = field(default_factory=list)
    caption: Line | None = None


def _centre(row: Row) -> float:
    return (row.y0 + row.y1) / 2


def page_lines(rows: list[Row]) -> list[Line]:
    """The page's text rows grouped into lines, top to bottom: a row whose centre is within 0.4 line
    heights of a line's first row joins that line."""
    lines: list[Line] = []
    for row in sorted((r for r in rows if r.kind == "text"), key=_centre):
        if lines:
            last, first = lines[-1], lines[-1].rows[0]
            if abs(_centre(row) - _centre(first)) <= 0.4 * min(row.y1 - row.y0, first.y1 - first.y0):
                last.rows.append(row)
                last.pieces = sorted(last.pieces + list(row.parts()), key=lambda p: p.x0)
                last.y0, last.y1 = min(last.y0, row.y0), max(last.y1, row.y1)
                continue
        lines.append(Line([row], sorted(row.parts(), key=lambda p: p.x0), row.y0, row.y1, row.size))
    return lines


def _trailing_figures(line: Line) -> int:
    """How many of the line's last pieces are figures."""
    count = 0
    for piece in reversed(line.pieces):
        if not is_number(piece.text):
            break
        count += 1
    return count


def _is_data(line: Line) -> bool:
    """A line that ends in figures after a label, or is figures only (two or more)."""
    figures = _trailing_figures(line)
    return len(line.pieces) >= 2 and figures >= 1 and (figures < len(line.pieces) or figures >= 2)


def _close(below: Line, above: Line, slack: float = 0.9) -> bool:
    """Lines of one block: the gap between them at most `slack` line heights (4 pt at least)."""
    return below.y0 - above.y1 <= max(4.0, slack * above.height)


def _continues_label(line: Line, previous: Line) -> bool:
    """A line of label text only, left of the figures of the data line above it (a wrapped label)."""
    first_figure = previous.pieces[len(previous.pieces) - _trailing_figures(previous)]
    return (not any(is_number(p.text) for p in line.pieces) and len(line.text.split()) <= MAX_HEADER_PIECE_WORDS
            and all(p.x1 <= first_figure.x0 - 4 for p in line.pieces))


def _runs(lines: list[Line]) -> list[tuple[int, int]]:
    """(start, end) index ranges of runs of data lines (wrapped label lines included)."""
    runs, start, last_data = [], None, None
    for index, line in enumerate(lines):
        near = start is not None and _close(line, lines[index - 1])
        if near and _is_data(line):
            last_data = index
            continue
        if near and _continues_label(line, lines[last_data]):
            continue
        if start is not None:
            runs.append((start, last_data + 1))
        start, last_data = (index, index) if _is_data(line) else (None, None)
    if start is not None:
        runs.append((start, last_data + 1))
    return runs


def _columns(lines: list[Line]) -> list[tuple[float, float]]:
    """Columns as x-ranges: the pieces of the data lines, overlapping ones merged."""
    columns: list[tuple[float, float]] = []
    for x0, x1 in sorted((p.x0, p.x1) for line in lines if _is_data(line) for p in line.pieces):
        if columns and x0 <= columns[-1][1] + 1:
            columns[-1] = (columns[-1][0], max(columns[-1][1], x1))
        else:
            columns.append((x0, x1))
    return columns


def _column_of(piece: Piece, columns: list[tuple[float, float]]) -> int:
    """The column a body piece belongs to: the one it overlaps most, else the nearest."""
    def score(j: int) -> tuple[float, float]:
        x0, x1 = columns[j]
        return min(piece.x1, x1) - max(piece.x0, x0), -abs((piece.x0 + piece.x1) / 2 - (x0 + x1) / 2)
    return max(range(len(columns)), key=score)


def _header_columns(piece: Piece, columns: list[tuple[float, float]]) -> list[int]:
    """The columns a header piece names: those it spans (3 pt of slack), both neighbours when it sits
    in the gap between two columns, else the nearest."""
    spanned = [j for j, (x0, x1) in enumerate(columns) if piece.x0 - 3 <= x1 and piece.x1 + 3 >= x0]
    if spanned:
        return spanned
    for j in range(len(columns) - 1):
        if columns[j][1] < piece.x0 and piece.x1 < columns[j + 1][0]:
            return [j, j + 1]
    return [_column_of(piece, columns)]


def _cells(line: Line, columns: list[tuple[float, float]]) -> list[str]:
    """The line's text in each column ("" where it has none)."""
    cells = [""] * len(columns)
    for piece in line.pieces:
        j = _column_of(piece, columns)
        cells[j] = f"{cells[j]} {piece.text}".strip()
    return cells


def _numeric_columns(body: list[Line], columns: list[tuple[float, float]]) -> list[int]:
    """The columns of figures (see `NUMERIC_SHARE`)."""
    rows = [_cells(line, columns) for line in body if not line.continuation]
    numeric = []
    for j in range(len(columns)):
        filled = [r[j] for r in rows if r[j]]
        if filled and sum(is_number(c) for c in filled) >= NUMERIC_SHARE * len(filled):
            numeric.append(j)
    return numeric


def _header_like(line: Line, columns: list[tuple[float, float]], body_size: float) -> bool:
    """A line that can be part of a column header: within the table's width, short pieces that are
    neither figures (years aside) nor wrapped prose, not a numbered heading or a line ending in a
    colon (those are captions), not larger than the body."""
    within = line.pieces[0].x0 >= columns[0][0] - HEADER_OVERHANG and line.pieces[-1].x1 <= columns[-1][1] + HEADER_OVERHANG
    names = all(len(p.text.split()) <= MAX_HEADER_PIECE_WORDS and not p.text.endswith(("-", ","))
                and (is_year(p.text) or not is_number(p.text)) and not _DECIMAL.search(p.text) for p in line.pieces)
    caption = line.text.rstrip().endswith(":") or _HEADING_NUMBER.match(line.pieces[0].text)
    return within and names and not caption and line.size <= body_size * 1.1 + 0.1 and not _is_data(line)


def _names(header: list[Line], columns: list[tuple[float, float]]) -> list[str]:
    names: list[list[str]] = [[] for _ in columns]
    for line in header:
        for piece in line.pieces:
            for j in _header_columns(piece, columns):
                names[j].append(piece.text)
    return [cell_text(" ".join(parts)) for parts in names]


def _vouches_for_one_line(header: list[Line], columns: list[tuple[float, float]]) -> bool:
    """A header that can make a table of one line: set in bold, naming every column."""
    return all(p.bold for line in header for p in line.pieces) and all(_names(header, columns))


def _promoted_header(body: list[Line]) -> bool:
    """A first line that heads the figures below it: years, or bold over plain figures."""
    first, second = body[0], body[1]
    figures = first.pieces[len(first.pieces) - _trailing_figures(first):]
    if all(is_year(p.text) for p in figures):
        return True
    return all(p.bold for p in first.pieces) and not all(p.bold for p in second.pieces)


def _caption(lines: list[Line], top: int, grid_top: float) -> Line | None:
    """The line just above a table's top line (`lines[top]`, at `grid_top`) when it introduces the table:
    close above it, short, and a paragraph of its own or a heading (bold, or numbered "5.2.2.1.1.")."""
    if top == 0:
        return None
    line = lines[top - 1]
    starts_paragraph = top < 2 or not _close(line, lines[top - 2])
    heading = not line.text[:1].islower() and (all(p.bold for p in line.pieces) or _HEADING_NUMBER.match(line.text))
    if grid_top - line.y1 <= max(12.0, 2.5 * line.height) and len(line.text.split()) <= MAX_CAPTION_WORDS \
            and (starts_paragraph or heading) and not _is_data(line):
        return line
    return None


def _header_above(lines: list[Line], start: int, body: list[Line], columns: list[tuple[float, float]]) -> list[Line]:
    """The header lines right above a run, top to bottom (none when the line above is not one)."""
    body_size = sorted(line.size for line in body)[len(body) // 2]
    header: list[Line] = []
    top = start
    while top > 0 and len(header) < MAX_HEADER_LINES:
        line = lines[top - 1]
        if not _close(header[0] if header else body[0], line, HEADER_GAP) or not _header_like(line, columns, body_size):
            break
        header.insert(0, line)
        top -= 1
    return header


def caption_above(rows: list[Row], top: float) -> Line | None:
    """The caption of a table whose top edge is at `top` (found some other way), among the page's rows."""
    lines = page_lines(rows)
    below = next((index for index, line in enumerate(lines) if line.y1 > top + 1), len(lines))
    return _caption(lines, below, top)


def _headed_grid(lines: list[Line], start: int, body: list[Line]) -> Grid | None:
    """The run as a table under its own header (the lines above, or a first line that heads it)."""
    columns = _columns(body)
    header = _header_above(lines, start, body, columns)
    top = start - len(header)
    if not header and len(body) > MIN_BODY_LINES and _promoted_header(body):
        header, body = body[:1], body[1:]
    if sum(len(line.pieces) for line in header) < 2:
        return None
    if len(body) < MIN_BODY_LINES and not _vouches_for_one_line(header, columns):
        return None
    grid = Grid(columns, _names(header, columns), body, header)
    grid.caption = _caption(lines, top, header[0].y0)
    return grid


def find_grids(lines: list[Line], continued: Grid | None = None) -> list[Grid]:
    """The tables among a page's lines; `continued` is the last table of the page before, which a
    headless table at the top of this page continues when it has as many columns."""
    grids = []
    for start, end in _runs(lines):
        body = lines[start:end]
        for index in range(1, len(body)):
            body[index].continuation = not _is_data(body[index])
        columns = _columns(body)
        if not [j for j in _numeric_columns(body, columns) if j > 0]:
            continue
        grid = _headed_grid(lines, start, body)
        if grid is None and continued is not None and start == 0 and len(continued.columns) == len(columns) \
                and len(body) >= MIN_BODY_LINES:
            grid = Grid(columns, continued.names, body)
        if grid is not None:
            grids.append(grid)
    return grids


def grid_rows(grid: Grid, page: int, head: TableHead) -> list[Row]:
    """The table's rows as statements, one `Row` each (kind "table"), wrapped labels joined up."""
    cells: list[tuple[Line, list[str]]] = []
    for line in grid.body:
        row = _cells(line, grid.columns)
        if line.continuation and cells:
            cells[-1] = (cells[-1][0], [f"{a} {b}".strip() for a, b in zip(cells[-1][1], row)])
        else:
            cells.append((line, row))
    x0, x1 = grid.columns[0][0], grid.columns[-1][1]
    return [Row(page, x0, line.y0, x1, line.y1, text, line.size, False, kind="table", table=head)
            for line, row in cells if (text := row_statement(grid.names, row))]


def grid_head(grid: Grid, key: str) -> TableHead:
    """What the table's rows share: its caption without the colon that introduced it, and its header line."""
    caption = cell_text(grid.caption.text).rstrip(" :;-–—") if grid.caption else ""
    return TableHead(key, caption, header_line(grid.names))


def replace_grids(pages: list[PageText]) -> int:
    """Swap the lines of each table of figures for one statement row per table row; return tables found.

    A table that ends its page is carried to the next, whose headless table at the top continues it
    (same caption and header, so the same section)."""
    found = 0
    carried: tuple[Grid, TableHead] | None = None
    for page in pages:
        lines = page_lines(page.rows)
        grids = find_grids(lines, carried[0] if carried else None)
        for grid in grids:
            if not grid.header and carried is not None:
                head = carried[1]
            else:
                found += 1
                head = grid_head(grid, f"p{page.number}t{found}")
            used = {id(row) for line in grid.body + grid.header + ([grid.caption] if grid.caption else [])
                    for row in line.rows}
            page.rows = [r for r in page.rows if id(r) not in used] + grid_rows(grid, page.number, head)
        ends_page = bool(grids) and bool(lines) and lines[-1] is grids[-1].body[-1]
        carried = (grids[-1], head) if ends_page else (carried if not lines else None)
    return found
