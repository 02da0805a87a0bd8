"""The PDF, HTML and DOCX loaders on small files built here: scanned pages (OCR, and the message
without it), unreadable pages, plain HTML headings, and broken files."""

from pathlib import Path

import pymupdf
import pytest
from pdfs import joined, scanned_pdf, text_page_pdf

from assistant.ingest import ocr
from assistant.ingest.documents import DocumentError
from assistant.ingest.docx_loader import load_docx
from assistant.ingest.html_loader import load_html
from assistant.ingest.pdf_loader import load_pdf

SCAN_TEXT = ("Section 5. Establishment of the Office.\n\nThe Data Commissioner shall hold office "
             "for a single term of six years and shall not be eligible for re-appointment.")
GARBAGE = ("vlk/kkj.k izkf/kdkj ls izdkf'kr ubZ fnYyh] 'kqØokj] vxLr 11] 2023@Jko.k bl Hkkx esa fHkUu "
           "i`\"B la[;k nh tkrh gS ftlls fd ;g vyx ladyu ds :i esa j[kk tk ldsA jftLVªh lañ Mhñ ,yñ") * 3
ENGLISH = ("The Board shall function as an independent body and shall, as far as practicable, function as a "
           "digital office. The Board may, for the purposes of discharging its functions, take measures.")


@pytest.fixture
def no_tesseract(monkeypatch):
    monkeypatch.setattr(ocr, "tesseract_path", lambda command="tesseract": None)


def test_scanned_page_is_read_by_ocr(tesseract):
    meta, sections = load_pdf(scanned_pdf(SCAN_TEXT), Path("scan.pdf"))
    text = " ".join(s.text for s in sections)
    assert "Data Commissioner" in text and "six years" in text
    assert all(s.page == 1 for s in sections)
    assert "skipped_pages" not in meta


def test_scan_without_ocr_gives_a_clear_message(no_tesseract):
    with pytest.raises(DocumentError, match=r"scan .*OCR is unavailable.*apt-get install tesseract-ocr"):
        load_pdf(scanned_pdf(SCAN_TEXT), Path("scan.pdf"))


def test_scanned_page_in_a_text_pdf_is_reported_when_ocr_is_missing(no_tesseract):
    meta, sections = load_pdf(joined(text_page_pdf([ENGLISH]), scanned_pdf(SCAN_TEXT)), Path("mixed.pdf"))
    assert [s.page for s in sections] == [1]
    assert meta["skipped_pages"][0][0] == 2 and "tesseract-ocr" in meta["skipped_pages"][0][1]


def test_unreadable_page_is_skipped_and_reported():
    meta, sections = load_pdf(text_page_pdf([ENGLISH, GARBAGE, ENGLISH]), Path("mixed.pdf"))
    assert meta["skipped_pages"] == [(2, "unreadable text")]
    assert {s.page for s in sections} | {s.page_end for s in sections} - {None} <= {1, 3}
    assert "vlk/kkj.k" not in " ".join(s.text for s in sections)


def test_not_a_pdf_raises_a_clear_error():
    with pytest.raises(DocumentError, match="not a readable PDF"):
        load_pdf(b"%PDF-1.4 this is not really a pdf", Path("broken.pdf"))
    encrypted = pymupdf.open(stream=text_page_pdf([ENGLISH]), filetype="pdf").tobytes(
        encryption=pymupdf.PDF_ENCRYPT_AES_256, user_pw="secret", owner_pw="owner")
    with pytest.raises(DocumentError, match="encrypted"):
        load_pdf(encrypted, Path("locked.pdf"))


def test_plain_html_uses_h1_to_h4():
    html = b"<html><head><title>Visit notes</title></head><body><h1>Visit</h1><p>Intro.</p>" \
           b"<h2>Day one</h2><p>Met the border agency.</p><h3>Lunch</h3><li>Talks</li></body></html>"
    meta, sections = load_html(html, Path("notes.html"))
    assert meta["title"] == "Visit notes"
    assert [(s.heading, s.text) for s in sections] == [("Visit", "Intro."), ("Day one", "Met the border agency."),
                                                       ("Lunch", "Talks")]


def test_unreadable_docx_raises_a_clear_error():
    with pytest.raises(DocumentError, match="not a readable DOCX"):
        load_docx(b"PK\x03\x04 not really a zip", Path("broken.docx"))
