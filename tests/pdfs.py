"""Small PDFs built on the fly with PyMuPDF: text pages, scans (an image and no text layer), fragments of real PDFs."""

from __future__ import annotations

from pathlib import Path


def text_page_pdf(pages: list[str]) -> bytes:
    """A PDF with one page per string, set in Helvetica."""
    import pymupdf

    out = pymupdf.open()
    for text in pages:
        page = out.new_page()
        page.insert_textbox(pymupdf.Rect(72, 72, 520, 770), text, fontsize=11)
    return out.tobytes()


def scanned_pdf(text: str) -> bytes:
    """A PDF whose only page is a picture of `text` (no text layer), like a scan."""
    import pymupdf

    drawn = pymupdf.open(stream=text_page_pdf([text]), filetype="pdf")
    png = drawn[0].get_pixmap(dpi=200).tobytes("png")
    out = pymupdf.open()
    page = out.new_page()
    page.insert_image(page.rect, stream=png)
    return out.tobytes()


def joined(*pdfs: bytes) -> bytes:
    """One PDF made of the pages of several."""
    import pymupdf

    out = pymupdf.open()
    for data in pdfs:
        out.insert_pdf(pymupdf.open(stream=data, filetype="pdf"))
    return out.tobytes()


def fragment(path: Path, pages: list[int]) -> bytes:
    """A PDF made of some pages (1-based) of a real PDF."""
    import pymupdf

    source = pymupdf.open(path)
    out = pymupdf.open()
    for number in pages:
        out.insert_pdf(source, from_page=number - 1, to_page=number - 1)
    return out.tobytes()
