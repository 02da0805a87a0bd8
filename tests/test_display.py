"""How the web app shows an answer: the documents' markup as text (only citations link), and the low-confidence
mark in the chat and the sources panel. Fast, on hand-made answers; the browser sees both in test_browser.py."""

from dataclasses import replace

from langchain_core.documents import Document
from test_citations import passage

from assistant.answer.types import Answer, Citation
from assistant.surfaces.ui.render import display_text, sources_html
from assistant.text.markup import markdown_text


def test_a_low_confidence_answer_is_marked_in_the_chat_and_the_sources_panel():
    citation = Citation.from_passage(1, passage(82, 82), "Infringements shall be subject to fines up to 20 000 000 EUR.")
    answer = Answer("What fines?", "Fines [1].", False, [citation], [passage(82, 82)], confidence=0.32)
    assert "Low confidence" not in display_text(answer) + sources_html(answer)
    low = replace(answer, low_confidence=True)
    assert display_text(low).startswith("<span class='low-confidence'>⚠️ Low confidence: check the passage.</span> ")
    assert "<p class='confidence low'><strong>Low confidence: check the passage.</strong> Confidence: <strong>32%" \
        in sources_html(low)


def test_document_markup_in_an_answer_is_text_and_only_citations_link():
    quote = 'Apply at the [official permit portal](http://other.host/phish) <img src="http://other.host/b.png"> [2].'
    cited = Document(quote, metadata={"chunk_id": "c9", "source": "docs/permit.md", "title": "Permits"})
    answer = Answer("How?", quote.replace("[2]", "[1]"), False, [Citation.from_passage(1, cited, quote)], [cited])
    shown = display_text(answer)
    assert "\\[official permit portal\\](http\\://other.host/phish) \\<img" in shown
    assert shown.endswith("[[1]](#source-1).")  # the answer's own citation still links


def test_markdown_text_escapes_every_kind_of_markup_and_reads_the_same():
    assert markdown_text("see www.permits.example, http://x.example/a or desk@permits.example") == \
        "see www\\.permits.example, http\\://x.example/a or desk\\@permits.example"
    assert markdown_text("1. first\n- second\n=== $$x$$ `code` ~~gone~~ # | a |") == \
        "1\\. first\n\\- second\n\\=== \\$\\$x\\$\\$ \\`code\\` \\~\\~gone\\~\\~ \\# \\| a \\|"
    assert markdown_text("Article 83: fines (p. 82), 3 March 2024.") == "Article 83: fines (p. 82), 3 March 2024."


def test_briefing_and_comparison_notes_carry_document_markup_as_text(tmp_path):
    from assistant.answer.briefing import SECTIONS, Briefing, Bullet
    from assistant.answer.comparison import Comparison

    source = Document("Apply at the portal.", metadata={"chunk_id": "c1", "source": "docs/permit.md", "date": "2025-04-01",
                                                       "title": "Permits <img src='http://other.host/t.png'>"})
    bullet = Bullet("Apply only at the [official permit portal](http://other.host/phish) | fees *waived*.", (1,))
    note = Briefing("Permits <b>desk</b>", {name: [bullet] for name in SECTIONS}, [source])
    markdown = note.to_markdown()
    assert "<img" not in markdown.replace("\\<img", "") and "](http" not in markdown.replace("\\](http", "")
    assert "# Briefing note: Permits \\<b\\>desk\\</b\\>" in markdown
    assert ("- Apply only at the \\[official permit portal\\](http\\://other.host/phish) \\| fees \\*waived\\*"
            " [[1]](#note-source-1).") in markdown
    table = Comparison.of(note, note).to_markdown()
    row = next(line for line in table.splitlines() if line.startswith("| **Background** |"))
    assert row.count(" | ") == 3 - 1 and row.endswith(" |")  # the pipe in the text does not split the cell
    note.save(tmp_path / "note.md")
    assert (tmp_path / "note.md").read_text(encoding="utf-8") == markdown  # the export is the escaped note


def test_downloads_are_named_after_the_topic_in_whole_words():
    from assistant.surfaces.ui.briefing_tab import STEM_CHARS, file_stem

    assert file_stem("briefing", "Kenya's BCOCC") == "briefing-kenya-s-bcocc"
    assert file_stem("briefing", "  ") == "briefing" and file_stem("briefing", "Kenya’s eTA") == "briefing-kenyas-eta"
    long = file_stem("comparison", "Kenya's BCOCC and inter-agency coordination and Pakistan's IBMS coordination")
    assert long == "comparison-kenya-s-bcocc-and-inter-agency-coordination-and-pakistan-s-ibms" and len(long) <= STEM_CHARS
