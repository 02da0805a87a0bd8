"""Each loader on real files generated here: Markdown, text, PDF, DOCX, HTML, and broken ones."""

from pathlib import Path

import docx
import pytest
from fpdf import FPDF

from assistant.index.filters import SearchFilter, date_end_number, date_number
from assistant.ingest.documents import DocumentError
from assistant.ingest.loading import load_document


def write_pdf(path: Path, pages: list[str], title: str = "Port report") -> None:
    pdf = FPDF()
    pdf.set_title(title)
    pdf.set_font("Helvetica", size=12)
    for text in pages:
        pdf.add_page()
        pdf.multi_cell(0, 8, text)
    pdf.output(str(path))


def write_docx(path: Path) -> None:
    document = docx.Document()
    document.core_properties.title = "Namanga notes"
    document.add_heading("Namanga notes", level=0)
    document.add_heading("Joint controls", level=1)
    document.add_paragraph("Officers of Kenya and Tanzania work side by side at Namanga.")
    document.add_heading("Clearance times", level=1)
    document.add_paragraph("Clearing goods took about one hour by 2018.")
    document.save(str(path))


def test_markdown_front_matter_and_sections(tmp_path):
    path = tmp_path / "note.md"
    path.write_text(
        "---\ntitle: \"BCOCC note\"\ndate: 2024-01-26\nkind: governance\nclassification: official\n"
        "source: \"Border Management Secretariat\"\n---\n# Heading title\n\nIntro line.\n\n"
        "## Chair\n\nThe BCOCC is chaired by the PS.\n\n## Members\n\n- KRA\n- KPA\n",
        encoding="utf-8",
    )
    doc = load_document(path, "notes/note.md")
    assert (doc.title, doc.date, doc.kind, doc.classification) == ("BCOCC note", "2024-01-26", "governance", "official")
    assert doc.extra["origin"] == "Border Management Secretariat"
    assert [s.heading for s in doc.sections] == ["", "Chair", "Members"]
    assert doc.sections[1].text == "The BCOCC is chaired by the PS."


def test_a_date_range_is_stored_with_its_first_and_last_day_and_the_compile_date_is_kept(tmp_path):
    path = tmp_path / "visit.md"
    path.write_text("---\ntitle: Visit\ndate: 2024-01-22/2024-01-26\ncompiled: 2026-11-28\n---\nThe visit ran five days.\n",
                    encoding="utf-8")
    meta = load_document(path, "notes/visit.md").metadata()
    assert (meta["date"], meta["date_number"], meta["date_end_number"]) == ("2024-01-22/2024-01-26", 20240122, 20240126)
    assert meta["compiled"] == "2026-11-28"  # a YAML date in another field is kept, as ISO text


@pytest.mark.parametrize("date, first, last", [
    ("2024-01-26", 20240126, 20240126), ("2024-01", 20240100, 20240131), ("2024", 20240000, 20241231),
    ("1958/2024", 19580000, 20241231), ("2016-09/2024-02-21", 20160900, 20240221), ("", 0, 0),
])
def test_date_numbers_cover_partial_dates_and_ranges(date, first, last):
    assert (date_number(date), date_end_number(date)) == (first, last)


def test_date_filters_find_every_document_whose_dates_overlap_them():
    january = SearchFilter(date_from="2024-01", date_to="2024-01")
    def dated(date):
        return {"date_number": date_number(date), "date_end_number": date_end_number(date)}
    assert january.admits(dated("2024-01-22/2024-01-26")) and january.admits(dated("2014-12-19/2024-01-26"))
    assert january.admits(dated("2024-01-31")) and january.admits(dated("2023/2024"))
    assert not january.admits(dated("2024-02-21")) and not january.admits(dated("2014/2023-12-31"))
    assert january.where() == {"$and": [{"date_end_number": {"$gte": 20240100}}, {"date_number": {"$lte": 20240131}}]}


def test_markdown_without_front_matter_takes_title_from_first_heading(tmp_path):
    path = tmp_path / "plain-note.md"
    path.write_text("# Coast guard\n\nThe service was launched in 2018.\n", encoding="utf-8")
    doc = load_document(path, "plain-note.md")
    assert doc.title == "Coast guard"
    assert (doc.kind, doc.classification) == ("document", "public")


def test_plain_text_lines_become_paragraphs(tmp_path):
    path = tmp_path / "visit.txt"
    path.write_text("First paragraph.\nSecond paragraph.\n", encoding="utf-8")
    doc = load_document(path, "visit.txt")
    assert doc.title == "visit"
    assert doc.sections[0].text == "First paragraph.\n\nSecond paragraph."


def test_pdf_sections_keep_their_pages_and_the_pdf_date_is_not_the_documents(tmp_path):
    path = tmp_path / "report.pdf"
    write_pdf(path, ["Kilindini handled 35.98 million tonnes in 2023.", "A second page about transit cargo."])
    doc = load_document(path, "report.pdf")
    assert (doc.title, doc.date) == ("Port report", "")  # the PDF's CreationDate is the day it was generated
    (section,) = doc.sections
    assert (section.page, section.page_end, section.pages_label()) == (1, 2, "pp. 1–2")
    assert "35.98 million tonnes" in section.text and "transit cargo" in section.text


def test_docx_headings_become_sections(tmp_path):
    path = tmp_path / "notes.docx"
    write_docx(path)
    doc = load_document(path, "notes.docx")
    assert doc.title == "Namanga notes"
    assert [s.heading for s in doc.sections] == ["Joint controls", "Clearance times"]
    assert "one hour" in doc.sections[1].text


def test_html_drops_scripts_and_keeps_headings_and_meta(tmp_path):
    path = tmp_path / "page.html"
    path.write_text(
        "<html><head><title>KAA page</title><meta name='classification' content='official'>"
        "<script>var secret = 1;</script></head><body><h1>KAA</h1><h2>Law</h2>"
        "<p>The Kenya Airports Authority Act is No. 3 of 1991.</p><ul><li>JKIA</li></ul></body></html>",
        encoding="utf-8",
    )
    doc = load_document(path, "page.html")
    assert doc.title == "KAA page" and doc.classification == "official"
    assert doc.sections[0].heading == "Law"
    assert "No. 3 of 1991" in doc.sections[0].text and "JKIA" in doc.sections[0].text
    assert "secret" not in " ".join(s.text for s in doc.sections)


@pytest.mark.parametrize(
    ("name", "content", "reason"),
    [
        ("empty.md", b"", "empty"),
        ("binary.md", b"\x00\x01\x02binary\x00" * 10, "binary"),
        ("latin1.txt", "caf\xe9 au lait".encode("latin-1"), "UTF-8"),
        ("broken.pdf", b"%PDF-1.4\nthis is not really a pdf", "PDF"),
        ("broken.docx", b"PK\x03\x04 not a zip", "DOCX"),
        ("image.png", b"\x89PNG", "unsupported file type"),
        ("bad-front.md", b"---\ntitle: [unclosed\n---\ntext", "front matter"),
    ],
)
def test_unreadable_files_raise_a_clear_reason(tmp_path, name, content, reason):
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(DocumentError, match=reason):
        load_document(path, name)


def test_limits_hold_for_the_new_loaders(tmp_path, embeddings):
    from assistant.config.limits import FileLimits
    from assistant.ingest.chunking import Chunker

    pdf = tmp_path / "long.pdf"
    write_pdf(pdf, ["The port handled more cargo than ever before in its history. " * 40] * 3)
    with pytest.raises(DocumentError, match="BRIEFING_MAX_TEXT_MB"):
        load_document(pdf, "long.pdf", limits=FileLimits(max_text_chars=2000))
    word = tmp_path / "notes.docx"
    write_docx(word)
    with pytest.raises(DocumentError, match="BRIEFING_MAX_INFLATED_MB"):
        load_document(word, "notes.docx", limits=FileLimits(max_inflated_bytes=4000))
    chunks = Chunker(embeddings.count_word_pieces).split(load_document(pdf, "long.pdf"))
    assert len(chunks) > 2 and {c.metadata["page"] for c in chunks} == {1, 2, 3}
    with pytest.raises(Exception, match="BRIEFING_MAX_PASSAGES"):
        FileLimits(max_passages=2).check_passages(len(chunks))
