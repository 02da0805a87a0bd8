"""Briefing notes (CLI and API), the library's file-name safety, feedback and conversation export."""

import json

import docx
import pytest

from assistant.answer.briefing import SECTIONS, parse_bullets
from assistant.app.feedback import conversation_markdown, record_feedback
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


def test_feedback_is_stored_with_its_answer_and_export_lists_citations(tmp_path):
    answer = {"question": "Who led the delegation?", "answer": "Khushal Khan [1].", "refused": False,
              "citations": [{"n": 1, "source": "k.md", "title": "Visit", "section": "", "quote": "led by Khushal Khan", "chunk_id": "c"}]}
    record_feedback(tmp_path, answer, "down", "Needs his title")
    stored = [json.loads(line) for line in (tmp_path / "feedback.jsonl").read_text().splitlines()]
    assert stored[0]["vote"] == "down" and stored[0]["comment"] == "Needs his title" and stored[0]["answer"] == answer
    with pytest.raises(ValueError):
        record_feedback(tmp_path, answer, "maybe")
    exported = conversation_markdown([answer])
    assert "## Q: Who led the delegation?" in exported and '[1] Visit (k.md): "led by Khushal Khan"' in exported
