"""Pages as a citation field: chunk metadata -> `Citation` -> `ask --json`, the CLI, the UI's sources,
the conversation export and the briefing note (Markdown and DOCX)."""

import json

import docx
import pytest
from fpdf import FPDF
from langchain_core.documents import Document

from assistant.answer.briefing import SECTIONS, Briefing, Bullet
from assistant.answer.types import Answer, Citation
from assistant.app.feedback import conversation_markdown
from assistant.index.chunks import location, pages_label
from assistant.surfaces.cli import main
from assistant.surfaces.ui.render import sources_html

ARTICLE_83 = "Article 83 — General conditions for imposing administrative fines"


def passage(page: int, page_end: int, section: str = ARTICLE_83, chunk_id: str = "c1") -> Document:
    return Document(page_content="Infringements shall be subject to fines up to 20 000 000 EUR.",
                    metadata={"chunk_id": chunk_id, "source": "docs/gdpr.pdf", "title": "GDPR", "section": section,
                              "page": page, "page_end": page_end, "date": "2016-04-27", "classification": "public"})


@pytest.mark.parametrize(("section", "page", "page_end", "expected"), [
    (ARTICLE_83, 82, 82, f"{ARTICLE_83}, p. 82"),
    ("Article 260 — Interpretation", 112, 115, "Article 260 — Interpretation, pp. 112–115"),
    ("", 3, None, "p. 3"),
    ("Chair", 0, 0, "Chair"),
    ("", None, None, ""),
])
def test_a_location_reads_section_then_pages(section, page, page_end, expected):
    assert location(section, page, page_end) == expected


def test_pages_label():
    assert (pages_label(82), pages_label(112, 115), pages_label(5, 5), pages_label(0, 0)) == ("p. 82", "pp. 112–115",
                                                                                            "p. 5", "")


def test_citation_carries_its_pages_and_the_json_gives_page_end_only_when_it_differs():
    one = Citation.from_passage(1, passage(82, 82), "quote")
    two = Citation.from_passage(2, passage(112, 115, "Article 260 — Interpretation"), "quote")
    markdown = Citation.from_passage(3, Document(page_content="x", metadata={"chunk_id": "m", "source": "k.md",
                                                                             "page": 0, "page_end": 0}), "x")
    assert (one.page, one.page_end, one.location) == (82, None, f"{ARTICLE_83}, p. 82")
    assert two.location == "Article 260 — Interpretation, pp. 112–115"
    assert one.to_dict()["page"] == 82 and "page_end" not in one.to_dict()
    assert (two.to_dict()["page"], two.to_dict()["page_end"]) == (112, 115)
    assert markdown.to_dict()["page"] is None and "page_end" not in markdown.to_dict()
    answer = Answer("q", "Fines [1].", False, [one, two], [passage(82, 82)])
    assert [c["page"] for c in answer.to_dict()["citations"]] == [82, 112]


def test_ui_sources_and_conversation_export_show_the_page():
    citation = Citation.from_passage(1, passage(82, 82), "Infringements shall be subject to fines up to 20 000 000 EUR.")
    answer = Answer("What fines?", "Fines [1].", False, [citation], [passage(82, 82)])
    assert "— Article 83 — General conditions for imposing administrative fines, p. 82" in sources_html(answer)
    exported = conversation_markdown([answer.to_dict()])
    assert f"\\[1\\] GDPR, {ARTICLE_83}, p. 82 (docs/gdpr.pdf)" in exported


def test_briefing_note_sources_show_the_pages(tmp_path):
    note = Briefing("Fines", {name: [Bullet("Fines reach 20 000 000 EUR.", (1, 2))] for name in SECTIONS},
                    [passage(82, 82), passage(112, 115, "Article 260 — Interpretation", "c2")])
    markdown = note.to_markdown()
    assert f'1. <a id="note-source-1"></a>GDPR — {ARTICLE_83}, p. 82, 2016-04-27, public (docs/gdpr.pdf)' in markdown
    assert '2. <a id="note-source-2"></a>GDPR — Article 260 — Interpretation, pp. 112–115, 2016-04-27, public' \
        ' (docs/gdpr.pdf)' in markdown
    note.to_docx(tmp_path / "note.docx")
    sources = [p.text for p in docx.Document(str(tmp_path / "note.docx")).paragraphs if p.text[:2] in ("1.", "2.")]
    assert sources == [f"1. GDPR — {ARTICLE_83}, p. 82, 2016-04-27, public (docs/gdpr.pdf)",
                       "2. GDPR — Article 260 — Interpretation, pp. 112–115, 2016-04-27, public (docs/gdpr.pdf)"]


def test_ask_json_over_an_ingested_pdf_cites_its_pages(tmp_path, monkeypatch, capsys):
    pdf = FPDF()
    pdf.set_font("Helvetica", size=12)
    for text in ("The Port Health Service inspects every vessel that arrives at Kilindini.",
                 "The Namanga One Stop Border Post opened to traffic in December 2017."):
        pdf.add_page()
        pdf.multi_cell(0, 8, text)
    docs = tmp_path / "docs"
    docs.mkdir()
    pdf.output(str(docs / "posts.pdf"))
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("BRIEFING_HOME", str(tmp_path / "state"))
    monkeypatch.setenv("BRIEFING_KNOWLEDGE", str(docs))
    assert main(["ingest", str(docs)]) == 0
    capsys.readouterr()
    assert main(["ask", "--json", "When did the Namanga One Stop Border Post open to traffic?"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["citations"], result
    # the two short pages make one passage, so it crosses the page break
    assert all((c["source"], c["page"], c["page_end"]) == ("docs/posts.pdf", 1, 2) for c in result["citations"])


def test_the_sources_panel_marks_each_quoted_sentence_whole():
    """The quote is cut into sentences by the same splitter as answers, so "Mr." does not end a sentence."""
    text = "The delegation was led by Mr. Khushal Khan. It met the BCOCC. Other business followed."
    source = Document(page_content=text, metadata={"chunk_id": "c1", "source": "visit.md", "title": "Visit"})
    quote = "The delegation was led by Mr. Khushal Khan. It met the BCOCC."
    answer = Answer("Who led it?", f"{quote} [1]", False, [Citation.from_passage(1, source, quote)], [source])
    html = sources_html(answer)
    assert "<mark>The delegation was led by Mr. Khushal Khan.</mark> <mark>It met the BCOCC.</mark> Other" in html
