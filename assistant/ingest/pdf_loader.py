"""Load a PDF into sections: clean text, its own headings, pages, tables, OCR for scans.

`load_pdf(data, path)` returns `(meta, sections)` like every loader. `meta` carries the
title and date (see `docmeta`), `skipped_pages` — `(page, reason)` for each page not
indexed (contents pages, unreadable text, scans that could not be read) — and
`dropped_text` — `(page, reason)` where part of a page was dropped as unreadable.
"""

from __future__ import annotations

from pathlib import Path

from assistant.ingest import ocr
from assistant.ingest.docmeta import document_date, legal_title, named_law, short_title, usable_metadata_title
from assistant.ingest.documents import DocumentError, Section
from assistant.ingest.pdf_cleanup import is_page_number, running_title, strip_contents, strip_furniture
from assistant.ingest.pdf_layout import PageText, Row, body_size, read_pages
from assistant.ingest.pdf_structure import Mark, outline_heading, sections_from_outline, sections_from_rows
from assistant.ingest.units import unit_word
from assistant.ingest.pdf_tables import replace_tables
from assistant.ingest.textclean import is_unreadable, normalise, vocabulary

META_PAGES = 5
"""The opening pages searched for the document's title and date."""
MIN_OUTLINE_ENTRIES = 3


def _open(data: bytes):
    import pymupdf

    try:
        document = pymupdf.open(stream=data, filetype="pdf")
    except Exception as exc:  # PyMuPDF raises its own FileDataError and plain RuntimeErrors
        raise DocumentError(f"not a readable PDF ({exc.__class__.__name__}: {exc})") from None
    if document.needs_pass:
        raise DocumentError("the PDF is encrypted")
    if document.page_count == 0:
        raise DocumentError("the PDF has no pages")
    return document


def _ocr_rows(number: int, text: str, size: float) -> list[Row]:
    """OCR output as rows: one per line, a blank line leaving a paragraph gap."""
    rows, y = [], 0.0
    for line in text.splitlines():
        y += 12.0
        if line := normalise(line):
            rows.append(Row(number, 0.0, y, 500.0, y + 10.0, line, size, False))
        else:
            y += 12.0
    return rows


def _blank(page) -> bool:
    """A page that renders as one flat colour (its images hold nothing to read)."""
    samples = page.get_pixmap(dpi=20, colorspace="GRAY").samples
    return max(samples) - min(samples) < 16


def _read_scans(document, pages: list[PageText], size: float, skipped: list) -> int:
    """OCR pages that have images and no text layer; report them when OCR is unavailable."""
    scans = [p for p in pages if p.raw_chars == 0 and p.has_images and not _blank(document[p.number - 1])]
    if not scans:
        return 0
    if not ocr.ocr_available():
        skipped += [(p.number, f"scanned page without a text layer; {ocr.INSTALL_HINT}") for p in scans]
        return len(scans)
    for page in scans:
        try:
            page.rows = _ocr_rows(page.number, ocr.ocr_page(document[page.number - 1]), size)
        except ocr.OcrError as exc:
            skipped.append((page.number, f"OCR failed: {exc}"))
            continue
        if not page.rows:
            skipped.append((page.number, "scanned page: OCR found no text"))
    return len(scans)


def _drop_unreadable(pages: list[PageText], fonts: set[str], skipped: list, dropped: list) -> None:
    """Skip pages that are mostly unreadable text; note pages that lost some of it."""
    reason = f"unreadable text (font {', '.join(sorted(fonts))} has no usable Unicode mapping)" if fonts else ""
    for page in pages:
        text = " ".join(r.text for r in page.rows)
        if page.raw_chars and (page.dropped_chars >= 0.8 * page.raw_chars or is_unreadable(text)):
            skipped.append((page.number, reason or "unreadable text"))
            page.rows = []
        elif page.dropped_chars:
            dropped.append((page.number, f"{page.dropped_chars} characters of {reason}"))


def _outline_marks(document, unit: str) -> list[Mark]:
    marks = []
    for level, title, page, dest in document.get_toc(simple=False):
        point = dest.get("to") if isinstance(dest, dict) else None
        if page >= 1 and title.strip():
            marks.append(Mark(page, float(point.y) if point is not None else 0.0, outline_heading(normalise(title), unit)))
    return marks if len(marks) >= MIN_OUTLINE_ENTRIES else []


GENERIC_HEADINGS = {"acknowledgement", "acknowledgements", "acknowledgment", "preface", "foreword", "contents",
                    "table of contents", "preamble", "introduction", "abstract", "summary", "disclaimer", "index"}
"""Headings that open many documents and name none."""


def _large_title(pages: list[PageText], size: float) -> str:
    """The largest type on the first page with text, when it is well above the body and names something."""
    first = next((p for p in pages if p.rows), None)
    large = [r for r in first.rows if r.size >= 1.5 * size and r.kind == "text"] if first else []
    if not large:
        return ""
    top = max(r.size for r in large)
    title = " ".join(r.text for r in sorted(large, key=lambda r: r.y0) if r.size == top)
    return "" if title.lower().strip(" :.") in GENERIC_HEADINGS else title


def _first_heading(lines: list[Row], size: float) -> str:
    """The first heading-like line: bold or larger than the body, short, not a number or a generic heading."""
    for row in lines:
        text = row.text.strip()
        if (row.bold or row.size >= 1.2 * size) and 2 <= len(text) and len(text.split()) <= 16 \
                and not is_page_number(text) and text.lower().strip(" :.") not in GENERIC_HEADINGS:
            return text
    return ""


def _title(pages: list[PageText], metadata_title: str, size: float) -> str:
    """The document's title, from the first source that has one: a line naming a law (in capitals, then
    in ordinary case with its year), the name a statute gives itself ("may be called ..."), the largest
    type on the first page, the PDF's metadata, a running header naming the document, the first
    heading-like line."""
    rows = [r for p in pages[:META_PAGES] for r in sorted(p.rows, key=lambda r: r.y0) if r.kind == "text"]
    lines = [r.text for r in rows]
    return (legal_title(lines[:80]) or named_law(lines[:80]) or short_title(" ".join(lines))
            or _large_title(pages, size) or metadata_title or running_title(pages) or _first_heading(rows, size))


def load_pdf(data: bytes, path: Path) -> tuple[dict, list[Section]]:
    """Sections of a PDF under its own headings, with pages; see the module docstring for `meta`."""
    document = _open(data)
    try:
        pages, fonts = read_pages(document)
    except RuntimeError as exc:  # MuPDF's errors on a damaged page
        raise DocumentError(f"not a readable PDF ({exc.__class__.__name__}: {exc})") from None
    size = body_size(pages)
    skipped: list[tuple[int, str]] = []
    dropped: list[tuple[int, str]] = []
    scans = _read_scans(document, pages, size, skipped)
    _drop_unreadable(pages, fonts, skipped, dropped)
    title = _title(pages, usable_metadata_title(document.metadata.get("title"), path.stem), size)
    strip_furniture(pages)
    skipped += [(n, "table of contents") for n in strip_contents(pages)]
    opening = " \n".join(r.text for p in [p for p in pages if p.rows][:META_PAGES]
                         for r in sorted(p.rows, key=lambda r: r.y0))
    replace_tables(document, pages)
    texts = [r.text for p in pages for r in p.rows]
    known, unit = vocabulary(texts), unit_word(texts)
    marks = _outline_marks(document, unit)
    sections = sections_from_outline(pages, marks, known) if marks else sections_from_rows(pages, size, unit, known)
    if not sections:
        problems = "; ".join(f"p. {n}: {why}" for n, why in skipped[:3])
        if scans and not ocr.ocr_available():
            raise DocumentError(f"the PDF is a scan ({scans} pages without a text layer) and OCR is unavailable: "
                                f"{ocr.INSTALL_HINT}")
        raise DocumentError(f"no readable text in the PDF ({problems or 'no text layer'})")
    meta = {"title": title, "date": document_date(opening, title), "skipped_pages": sorted(skipped),
            "dropped_text": dropped}
    return {k: v for k, v in meta.items() if v}, sections
