"""Briefing notes (CLI and API), the library's file-name safety, feedback and conversation export."""


import docx
import pytest

from assistant.answer.briefing import SECTIONS, parse_bullets
from assistant.app.feedback import conversation_markdown
from assistant.app.library import safe_name
from assistant.surfaces.cli import main


def test_brief_cli_writes_markdown_and_docx_with_cited_bullets(indexed_home, monkeypatch, tmp_path, capsys):
    monkeypatch.setenv("BRIEFING_HOME", str(indexed_home))
    assert main(["brief", "Namanga One Stop Border Post", "--out", str(tmp_path / "note.md")]) == 0
    assert "bullets with citations" in capsys.readouterr().out
    note = (tmp_path / "note.md").read_text(encoding="utf-8")
    sections = parse_bullets(note)
    assert set(sections) == set(SECTIONS)
    assert sum(len(b) for b in sections.values()) >= 8
    assert sections["Open questions"] and "disagree" in sections["Open questions"][0].text
    assert "## Sources" in note and "namanga-one-stop-border-post.md" in note

    docs = ["knowledge/governance/kenya-coast-guard-service.md"]
    assert main(["brief", "--docs", *docs, "--out", str(tmp_path / "note.docx")]) == 0
    paragraphs = docx.Document(str(tmp_path / "note.docx")).paragraphs
    bullets = [p.text for p in paragraphs if p.style.name == "List Bullet"]
    assert bullets and all("[" in b for b in bullets)
    sources = [p.text for p in paragraphs if p.style.name == "List"]
    assert sources and all(s.startswith(f"{n}. ") and "kenya-coast-guard-service.md" in s for n, s in enumerate(sources, 1))


@pytest.mark.parametrize(("args", "message"), [
    (["brief", "x", "--out", "note.pdf"], ".md or .docx"),
    (["brief", "--out", "note.md"], "TOPIC"),
    (["brief", "--docs", "nowhere.md", "--out", "note.md"], "not in the index"),
])
def test_brief_cli_errors_are_one_line(indexed_home, monkeypatch, capsys, args, message):
    monkeypatch.setenv("BRIEFING_HOME", str(indexed_home))
    assert main(args) == 2
    assert message in capsys.readouterr().err


@pytest.mark.parametrize(("name", "safe"), [
    ("../../etc/passwd.md", "passwd.md"), ("C:\\\\Users\\\\x\\\\report.pdf", "report.pdf"),
    ("notes (final)?.docx", "notes _final__.docx"), ("..", "upload"),
])
def test_upload_names_cannot_escape_the_uploads_folder(name, safe):
    assert safe_name(name) == safe


def test_export_lists_citations():
    answer = {"question": "Who led the delegation?", "answer": "Khushal Khan [1].", "refused": False,
              "citations": [{"n": 1, "source": "k.md", "title": "Visit", "section": "", "quote": "led by Khushal Khan", "chunk_id": "c"}]}
    exported = conversation_markdown([answer])
    assert "## Q: Who led the delegation?" in exported and '\\[1\\] Visit (k.md): "led by Khushal Khan"' in exported


# The writer: relevance bar, no repeats, numbered sources, length, comparison --------------------------------------

import re  # noqa: E402

import numpy as np  # noqa: E402
from langchain_core.documents import Document  # noqa: E402

from assistant.answer.briefing import LENGTHS, Briefing, Bullet, bullets_for  # noqa: E402
from assistant.answer.briefing_sentences import Sentence, repeats  # noqa: E402
from assistant.answer.briefing_topic import read_topic  # noqa: E402
from assistant.answer.briefing_writer import BriefingWriter  # noqa: E402
from assistant.answer.comparison import Comparison  # noqa: E402
from assistant.answer.relevance import TopicRelevance  # noqa: E402
from assistant.config.parameters import parameters  # noqa: E402
from assistant.index.visit import Side, Visit  # noqa: E402

BAR = parameters()["briefing"]["relevance_bar"]


def passage(text: str, title: str = "Kenya's immigration institutions", section: str = "", chunk: str = "c1") -> Document:
    return Document(page_content=text, metadata={"title": title, "section": section, "chunk_id": chunk, "source": "k.md"})


def test_topic_relevance_keeps_sentences_about_the_topic_and_drops_the_rest(embeddings):
    relevance = TopicRelevance(embeddings)
    eta = passage("Kenya announced the Electronic Travel Authorisation (eTA) in December 2023. "
                  "Visitors apply for the Electronic Travel Authorisation online for a fee of US$30.")
    about = relevance("Kenya's eTA", "Visitors apply for the Electronic Travel Authorisation online for a fee of US$30.", eta)
    other = relevance("Kenya's eTA", "The committee reports to the National Security Council.",
                      passage("The committee reports to the National Security Council.", title="Kenya's BCOCC"))
    assert about >= BAR > other
    # the topic's framing words count for nothing, its unknown words for a lot
    assert relevance.topic_terms("Lessons from the eTA") == relevance.topic_terms("the eTA")


def test_a_topic_the_documents_do_not_cover_gets_no_bullets(corpus_assistant):
    note = corpus_assistant.brief("Kenya Wildlife Service poaching patrols")
    assert not any(note.sections.values()) and "The documents give nothing on this." in note.to_markdown()


def test_the_relevance_function_is_pluggable_and_its_bar_drops_what_is_not_about_the_topic(corpus_assistant):
    writer = BriefingWriter(corpus_assistant.retriever, corpus_assistant.answerer, corpus_assistant.verifier,
                            relevance=lambda topic, sentence, passage: 1.0 if "Namanga" in sentence else 0.0)
    note = writer.write("one-stop border posts")
    bullets = [b for bullets in note.sections.values() for b in bullets]
    assert bullets and all("Namanga" in b.text for b in bullets)


def test_topic_wording_the_writer_reads():
    visits = [Visit(Side("Pakistan", "Pakistani"), Side("Kenya", "Kenyan"))]
    reading = read_topic("Lessons for Pakistan from Kenya's one-stop border posts", visits)
    assert reading.subject == "Kenya's one-stop border posts" and reading.side == "Pakistan"
    assert read_topic("Kenya's BCOCC", visits).side == "Pakistan" and read_topic("Pakistan's FIA", visits).side == "Kenya"
    assert read_topic("Pakistani border agencies", visits).side == "Kenya"  # the adjective names the side too
    assert read_topic("Kenya's BCOCC", []).side == ""  # documents that declare no visit: no side to set against


def test_a_topic_belongs_to_the_visit_whose_side_it_names():
    kenya = Visit(Side("Pakistan", "Pakistani"), Side("Kenya", "Kenyan"))
    rwanda = Visit(Side("Uganda", "Ugandan"), Side("Rwanda", "Rwandan"))
    assert read_topic("Rwanda's e-gates", [kenya, rwanda]).visit == rwanda
    assert read_topic("Lessons for Uganda from e-gates", [kenya, rwanda]).subject == "e-gates"
    assert read_topic("e-gates", [kenya, rwanda]).visit == kenya  # none named: the visit with most passages


def test_a_sentence_repeating_one_already_written_is_skipped_unless_it_brings_a_figure():
    def sentence(text, vector):
        return Sentence(text, passage(text), np.asarray(vector, dtype=float))

    written = [sentence("The eTA costs US$30 and takes 3 working days.", [1.0, 0.0])]
    assert repeats(sentence("The eTA costs US$30 and takes 3 working days.", [0.0, 1.0]), written, "eTA")
    assert repeats(sentence("Visitors pay US$30 for the eTA.", [1.0, 0.0]), written, "eTA")  # same meaning
    assert not repeats(sentence("Processing was capped at 72 hours.", [0.85, 0.53]), written, "eTA")


def _claims(note) -> list[str]:
    return [text for bullets in note.sections.values() for b in bullets for text, _ in b.claims()]


def test_no_two_bullets_say_the_same_thing_across_sections(corpus_assistant):
    note = corpus_assistant.brief("The Pakistani delegation's January 2024 study visit to Kenya")
    claims = _claims(note)
    assert len(claims) >= 8 and len(set(claims)) == len(claims)
    vectors = np.asarray(corpus_assistant.embeddings.embed_documents(claims))
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    similar = vectors @ vectors.T - np.eye(len(claims)) * 2
    bullets = [b for bullets in note.sections.values() for b in bullets]
    same_bullet = {(text, other) for b in bullets for text, _ in b.claims() for other, _ in b.claims()}
    pairs = [(claims[i], claims[j]) for i, j in zip(*np.where(similar >= parameters()["briefing"]["duplicate_cosine"]))]
    assert all(pair in same_bullet for pair in pairs), pairs  # only parallel statements of one passage share a bullet


def test_parallel_figures_of_one_passage_share_a_bullet(corpus_assistant):
    note = corpus_assistant.brief("Jomo Kenyatta International Airport passenger figures")
    merged = [b for bullets in note.sections.values() for b in bullets if b.more]
    assert merged and all(len(set(b.citations)) == 1 for b in merged)
    marker = r"\[\[\d+\]\]\(#note-source-\d+\)\."
    assert re.search(f"{marker} .+ {marker}", note.to_markdown())  # each statement carries its marker


def test_sources_are_a_numbered_list_with_title_section_date_and_classification(corpus_assistant, tmp_path):
    note = corpus_assistant.brief("Kenya Coast Guard Service")
    markdown = note.to_markdown()
    listed = markdown.split("## Sources\n\n")[1].strip().splitlines()
    sources = note.merged().sources  # two passages the list would name alike are listed once
    assert len(listed) == len(sources) >= 3 and len(set(listed)) == len(listed)
    for n, (line, source) in enumerate(zip(listed, sources), start=1):
        meta = source.metadata
        assert line.startswith(f'{n}. <a id="note-source-{n}"></a>{meta["title"]} — {meta["section"]}, {meta["date"]}, public')
    cited = {int(n) for n in re.findall(r"\[(\d+)\]\]\(#note-source-\1\)", markdown.split("## Sources")[0])}
    assert cited == set(range(1, len(sources) + 1))


def test_length_one_page_or_standard(corpus_assistant, monkeypatch, tmp_path, indexed_home, capsys):
    assert LENGTHS == {"one-page": 2, "standard": 4} and bullets_for("one-page") == 2
    with pytest.raises(ValueError, match="unknown length"):
        bullets_for("three-pages")
    short = corpus_assistant.brief("Kenya's BCOCC", length="one-page")
    long = corpus_assistant.brief("Kenya's BCOCC")
    assert short.length == "one-page" and all(len(b) <= 2 for b in short.sections.values())
    assert all(len(b) <= 4 for b in long.sections.values())
    assert sum(map(len, short.sections.values())) < sum(map(len, long.sections.values()))
    monkeypatch.setenv("BRIEFING_HOME", str(indexed_home))
    assert main(["brief", "Kenya's BCOCC", "--length", "one-page", "--out", str(tmp_path / "n.md")]) == 0
    assert "one-page" in capsys.readouterr().out


def test_comparison_note_sets_two_topics_side_by_side(corpus_assistant, monkeypatch, indexed_home, tmp_path, capsys):
    comparison = corpus_assistant.compare("Kenya's BCOCC", "Pakistan's IBMS coordination", length="one-page")
    markdown = comparison.to_markdown()
    assert markdown.startswith("# Comparison note: Kenya's BCOCC and Pakistan's IBMS coordination")
    assert "| | Kenya's BCOCC | Pakistan's IBMS coordination |" in markdown
    rows = [line for line in markdown.splitlines() if line.startswith("| **")]
    assert [row.split("**")[1] for row in rows] == list(SECTIONS)
    assert all(len(re.findall(r"(?<!\\)\|", row)) == 4 for row in rows)  # three cells a row, pipes in text escaped
    cited = {int(n) for n in re.findall(r"\[(\d+)\]", markdown.split("## Sources")[0])}
    assert cited == set(range(1, len(comparison.sources) + 1))
    left, right = set(_claims(comparison.left)), set(_claims(comparison.right))
    assert left and right and not left & right

    monkeypatch.setenv("BRIEFING_HOME", str(indexed_home))
    out = tmp_path / "compare.docx"
    assert main(["brief", "Kenya's BCOCC", "--compare", "Pakistan's IBMS coordination", "--out", str(out)]) == 0
    assert "comparison note" in capsys.readouterr().out
    document = docx.Document(str(out))
    table = document.tables[0]
    assert [c.text for c in table.rows[0].cells][1:] == ["Kenya's BCOCC", "Pakistan's IBMS coordination"]
    assert [row.cells[0].text for row in table.rows[1:]] == list(SECTIONS)
    assert "[1]" in table.rows[1].cells[1].text
    assert [p.text for p in document.paragraphs if p.style.name == "List"][0].startswith("1. ")
    assert main(["brief", "--docs", "knowledge/governance/kenya-bcocc.md", "--compare", "x", "--out", str(out)]) == 2


def test_briefing_model_renders_counterparts_and_prunes_sources():
    sources = [passage("A.", section="A", chunk="a"), passage("B.", section="B", chunk="b"),
               passage("C.", section="C", chunk="c")]
    practice = Bullet("Kenya's committees meet fortnightly.", (3,), against=Bullet("Ten ministries deal with borders.", (1,)),
                      side="Pakistan")
    note = Briefing("t", {"Points for adaptation": [practice]}, sources).pruned()
    assert [s.metadata["chunk_id"] for s in note.sources] == ["c", "a"]
    line = note.to_markdown().split("## Points for adaptation\n\n")[1].splitlines()[0]
    assert line == ("- Kenya's committees meet fortnightly [[1]](#note-source-1). *Pakistan:* Ten ministries deal with"
                    " borders [[2]](#note-source-2).")


def test_passages_the_source_list_would_name_alike_are_listed_once():
    """Two passages of one section (one document, same pages) are one source, in a note and across a comparison."""
    a1, a2 = passage("A one.", section="Chair", chunk="a1"), passage("A two.", section="Chair", chunk="a2")
    b = passage("B.", section="Secretary", chunk="b")
    note = Briefing("t", {"Background": [Bullet("A one.", (1,)), Bullet("A two.", (2,)), Bullet("B.", (3,))]}, [a1, a2, b])
    markdown = note.to_markdown()
    assert markdown.count("— Chair") == 1 and len(markdown.split("## Sources\n\n")[1].strip().splitlines()) == 2
    assert "A two [[1]](#note-source-1)." in markdown and "B [[2]](#note-source-2)." in markdown
    other = Briefing("u", {"Background": [Bullet("A two.", (1,)), Bullet("B.", (2,))]}, [a2, b])
    comparison = Comparison.of(note, other)
    assert [p.metadata["section"] for p in comparison.sources] == ["Chair", "Secretary"]
    assert [b.citations for b in comparison.right.sections["Background"]] == [(1,), (2,)]


def test_no_bullet_opens_by_pointing_back_to_a_sentence_it_does_not_show(corpus_assistant):
    from assistant.text.sentences import standalone_sentences

    text = "He arrived on Monday. Mr Khan led the delegation. He noted that the visit helped. These talks went well."
    assert standalone_sentences(text) == [
        "Mr Khan led the delegation.", "Mr Khan led the delegation. He noted that the visit helped.",
        "Mr Khan led the delegation. He noted that the visit helped. These talks went well."]
    note = corpus_assistant.brief("Kenya's BCOCC and inter-agency coordination")
    pointing_back = re.compile(r"^(He|She|It|They|His|Her|Its|Their|This|These|Those|Such)\b")
    bullets = [b for bullets in note.sections.values() for b in bullets]
    assert bullets and not [b.text for b in bullets if pointing_back.match(b.text)]
