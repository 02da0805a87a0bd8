"""What a loader left out is shown per file: on `briefing ingest` and in the library's upload result.
A scanned PDF is never silently empty: without Tesseract the user is told, per file."""

import pytest
from conftest import make_settings
from pdfs import joined, scanned_pdf, text_page_pdf

from assistant.app.library import Library
from assistant.app.pipeline import Assistant
from assistant.ingest import ocr
from assistant.surfaces.cli import main

CONTENTS = "Contents\n" + "\n".join(f"{n}. Part {n} of the guidance ............................ {n + 1}"
                                    for n in range(1, 12))
BODY = ("The Border Control Operations Coordination Committee meets every month at the Namanga post and "
        "reviews the joint controls that officers of both countries carry out side by side.")
SCAN = "Section 5. The Data Commissioner shall hold office for a single term of six years."


@pytest.fixture
def no_tesseract(monkeypatch):
    monkeypatch.setattr(ocr, "tesseract_path", lambda command="tesseract": None)


@pytest.fixture
def docs(tmp_path, monkeypatch):
    folder = tmp_path / "docs"
    folder.mkdir()
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("BRIEFING_HOME", str(tmp_path / "state"))
    return folder


def test_ingest_names_each_files_left_out_pages_and_a_scan_without_ocr(docs, no_tesseract, capsys):
    (docs / "guide.pdf").write_bytes(joined(text_page_pdf([CONTENTS, BODY]), scanned_pdf(SCAN)))
    (docs / "scan.pdf").write_bytes(scanned_pdf(SCAN))
    assert main(["ingest", str(docs)]) == 1
    captured = capsys.readouterr()
    assert "docs/guide.pdf: p. 1 not indexed: table of contents" in captured.out
    assert "docs/guide.pdf: p. 3 not indexed: scanned page without a text layer; install Tesseract" in captured.out
    assert ("failed: docs/scan.pdf: the PDF is a scan (1 pages without a text layer) and OCR is unavailable: "
            "install Tesseract (Debian/Ubuntu: apt-get install tesseract-ocr)") in captured.err
    assert "added 1" in captured.out and "failed 1" in captured.out


def test_ingest_reads_a_scan_with_ocr(docs, capsys, tesseract):
    (docs / "scan.pdf").write_bytes(scanned_pdf(SCAN))
    assert main(["ingest", str(docs)]) == 0
    assert "added 1" in capsys.readouterr().out


def test_upload_result_lists_the_pages_left_out(docs, tmp_path, embeddings, no_tesseract):
    upload = tmp_path / "guide.pdf"
    upload.write_bytes(joined(text_page_pdf([CONTENTS, BODY]), scanned_pdf(SCAN)))
    assistant = Assistant.from_settings(make_settings(tmp_path / "state", docs), embeddings)
    (result,), _ = Library(assistant).add([("guide.pdf", upload)])
    assert result.ok
    assert "; p. 1 not indexed: table of contents; p. 3 not indexed: scanned page without a text layer" in result.message
