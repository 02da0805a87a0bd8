"""Remove what is page furniture rather than text: running headers and footers
repeated across pages, and table-of-contents pages and lines."""

from __future__ import annotations

import re
from collections import Counter

from assistant.ingest.pdf_layout import PageText, Row
from assistant.ingest.textclean import is_contents_line

EDGE_ROWS = 4
"""How many rows at the top and at the bottom of a page may be a running header or footer."""
_PAGE_NUMBER = re.compile(r"^(page\s+)?[\divxlc]+(\s*(of|/)\s*\d+)?$", re.I)
_CONTENTS_TITLE = re.compile(r"^(table of )?contents$|^arrangement of (articles|sections|clauses|regulations|rules)$", re.I)
_TOC_ENTRY = re.compile(r"^(\d+[A-Z]?\.|article \d+|section \d+)\s+\S|^(chapter|part)\s+\S|^\d+[A-Z]?\.$|^(article|section|page)$", re.I)
_UPPER_LINE = re.compile(r"^[A-Z][A-Z ,;:'’\-–—()]+$")


def is_page_number(text: str) -> bool:
    """"12", "xiv", "Page 3 of 13", "4/15": a line that only numbers the page."""
    return bool(_PAGE_NUMBER.match(text.strip()))


def furniture_key(text: str) -> str:
    """A row's text with numbers masked and page numbers at its ends removed, so "Page 3 of 13
    Published ..." and "Page 4 of 13 Published ..." match, and "URL 15/15" matches "URL"."""
    key = re.sub(r"\d+", "#", text.lower()).strip()
    return re.sub(r"^(page )?#( of #|/#)?\s+|\s+(page )?#( of #|/#)?$", "", key) or key


def _edges(page: PageText) -> list[Row]:
    rows = sorted((r for r in page.rows if r.kind == "text"), key=lambda r: r.y0)
    return rows[:EDGE_ROWS] + rows[-EDGE_ROWS:]


def running_furniture(pages: list[PageText], min_share: float = 0.25) -> set[str]:
    """Keys of edge rows repeated on at least `min_share` of the pages (and on 3 or more)."""
    counts: Counter[str] = Counter()
    for page in pages:
        counts.update({furniture_key(r.text) for r in _edges(page)})
    needed = max(3, min_share * len(pages))
    return {key for key, count in counts.items() if count >= needed}


def running_title(pages: list[PageText]) -> str:
    """A running header that names the document ("ANNUAL ADMINISTRATION REPORT 2023"): the same words
    at the top of at least half the pages, page numbers aside; "" when there is none."""
    counts: Counter[str] = Counter()
    for page in pages:
        top = sorted((r for r in page.rows if r.kind == "text"), key=lambda r: r.y0)[:EDGE_ROWS]
        counts.update({r.text for r in top if 2 <= len(r.text.split()) <= 12 and not is_page_number(r.text)
                       and not re.search(r"\bpage\b|https?:|www\.|\d{1,2}:\d{2}", r.text, re.I)
                       and sum(c.isalpha() for c in r.text) >= 0.6 * len(r.text.replace(" ", ""))})
    text, count = counts.most_common(1)[0] if counts else ("", 0)
    return text if count >= max(3, 0.5 * len(pages)) else ""


def strip_furniture(pages: list[PageText]) -> int:
    """Drop running headers/footers and bare page numbers at page edges; return rows dropped."""
    repeated = running_furniture(pages)
    dropped = 0
    for page in pages:
        edges = {id(r) for r in _edges(page)}
        keep = [
            r for r in page.rows
            if not (id(r) in edges and (furniture_key(r.text) in repeated or is_page_number(r.text)))
        ]
        dropped += len(page.rows) - len(keep)
        page.rows = keep
    return dropped


def _toc_share(rows: list[Row]) -> float:
    text_rows = [r for r in rows if r.kind == "text"]
    if not text_rows:
        return 0.0
    entries = sum(bool(is_contents_line(r.text) or ((_TOC_ENTRY.match(r.text) or _UPPER_LINE.match(r.text))
                        and len(r.text.split()) <= 14))
                  for r in text_rows)
    return entries / len(text_rows)


def _title_share(rows: list[Row]) -> float:
    """Share of rows that read as entry titles: short, with no full stop at the end."""
    return sum(len(r.text.split()) <= 14 and not r.text.endswith(".") for r in rows) / len(rows) if rows else 0.0


def contents_pages(pages: list[PageText]) -> list[int]:
    """Pages that are a table of contents: one that opens with "Contents" or "Arrangement of
    Articles" over entries (numbered, in capitals, with leader dots, or short titles whose numbers
    stand apart in the margin), or is mostly dot-leader lines, and the pages that continue it."""
    found: list[int] = []
    in_toc = False
    for page in pages:
        rows = sorted((r for r in page.rows if r.kind == "text"), key=lambda r: r.y0)
        opens = any(_CONTENTS_TITLE.match(r.text.strip(" .")) for r in rows[:6])
        leaders = sum(is_contents_line(r.text) for r in rows)
        share = _toc_share(rows)
        if (opens and (share >= 0.4 or _title_share(rows) >= 0.8)) or (rows and leaders >= 0.5 * len(rows)) \
                or (in_toc and share >= 0.6):
            found.append(page.number)
            in_toc = True
        else:
            in_toc = False
    return found


def strip_contents(pages: list[PageText]) -> list[int]:
    """Empty the contents pages and drop stray dot-leader lines elsewhere; return the pages emptied."""
    toc = set(contents_pages(pages))
    for page in pages:
        page.rows = [] if page.number in toc else [r for r in page.rows if not is_contents_line(r.text)]
    return sorted(toc)
