"""Hostile and broken input: each gets one clear error naming the file or field, and nothing
else in the index changes. Includes a bounded fuzz test of the loaders and the question path."""

import shutil

import pytest
from conftest import KNOWLEDGE, make_settings
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from assistant.app.pipeline import Assistant
from assistant.ingest.documents import SUPPORTED_SUFFIXES, DocumentError
from assistant.ingest.loading import load_document
from assistant.surfaces.cli import main


@pytest.fixture
def indexed_copy(tmp_path, monkeypatch, embeddings):
    docs = tmp_path / "docs"
    docs.mkdir()
    shutil.copy(KNOWLEDGE / "governance/kenya-coast-guard-service.md", docs / "kcgs.md")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("BRIEFING_HOME", str(tmp_path / "state"))
    assistant = Assistant.from_settings(make_settings(tmp_path / "state", docs, BRIEFING_MAX_FILE_MB="0.01"), embeddings)
    assistant.ingest(progress=False)
    return assistant, docs


def snapshot(assistant):
    found = assistant.store.collection.get(include=["documents"])
    return sorted(zip(found["ids"], found["documents"]))


@pytest.mark.parametrize(("name", "content", "reason"), [
    ("truncated.pdf", b"%PDF-1.7\n1 0 obj << /Type /Catalog", "not a readable PDF"),
    ("truncated.docx", b"PK\x03\x04\x14\x00\x06\x00" + b"\x00" * 40, "not a readable DOCX"),
    ("empty.txt", b"", "empty"),
    ("image.md", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" * 20, "binary"),
    ("latin.txt", "r\xe9sum\xe9".encode("latin-1"), "not valid UTF-8"),
    ("big.md", b"# Big\n\n" + b"The port is busy. " * 2000, "larger than the 0.01 MB limit"),
])
def test_a_bad_file_is_named_and_nothing_else_changes(indexed_copy, capsys, name, content, reason):
    assistant, docs = indexed_copy
    before = snapshot(assistant)
    (docs / name).write_bytes(content)
    report = assistant.ingest(progress=False)
    assert report.failed == [(f"docs/{name}", report.failed[0][1])] and reason in report.failed[0][1]
    assert snapshot(assistant) == before


def test_a_corrupted_new_version_keeps_the_indexed_one(indexed_copy):
    assistant, docs = indexed_copy
    before = snapshot(assistant)
    (docs / "kcgs.md").write_bytes(b"\x00\x01binary now\x00")
    report = assistant.ingest(progress=False)
    assert report.failed and report.failed[0][0] == "docs/kcgs.md"
    assert snapshot(assistant) == before and report.removed == []


@pytest.mark.parametrize(("question", "message"), [
    ("x" * 2001, "the limit is 2000"), ("\x00\x07\x1b \u202e\x7f", "the question is empty"), ("   ", "empty"),
])
def test_bad_questions_are_one_clear_line(indexed_copy, capsys, question, message):
    assert main(["ask", question]) == 2
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1


def test_control_characters_are_stripped_from_questions(indexed_copy):
    assistant, _ = indexed_copy
    answer = assistant.ask("When was the Kenya\x00 Coast\u202e Guard Service\x1b launched?")
    assert answer.question == "When was the Kenya Coast Guard Service launched?" and "2018" in answer.text


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.binary(max_size=4096), suffix=st.sampled_from(SUPPORTED_SUFFIXES))
def test_fuzz_loaders_load_or_raise_a_document_error(tmp_path, data, suffix):
    path = tmp_path / f"fuzz{suffix}"
    path.write_bytes(data)
    try:
        document = load_document(path, path.name)
    except DocumentError as exc:
        assert str(exc)
    else:
        assert document.sections and all(section.text for section in document.sections)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(question=st.text(max_size=300))
def test_fuzz_the_question_path_answers_or_raises_a_clear_error(corpus_assistant, question):
    try:
        answer = corpus_assistant.ask(question)
    except ValueError as exc:
        assert "question" in str(exc)
    else:
        assert isinstance(answer.refused, bool) and (answer.refused or answer.citations)
