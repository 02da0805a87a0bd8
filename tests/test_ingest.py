"""Incremental ingestion against a real Chroma store in a temp dir, with the real model."""

import shutil

import pytest
from conftest import KNOWLEDGE, make_settings

from assistant.app.pipeline import Assistant
from assistant.surfaces.cli import main


@pytest.fixture
def workspace(tmp_path, monkeypatch):
    """A copy of two knowledge files in a temp working directory."""
    docs = tmp_path / "docs"
    docs.mkdir()
    for name in ("governance/kenya-bcocc.md", "governance/kenya-coast-guard-service.md"):
        shutil.copy(KNOWLEDGE / name, docs / name.split("/")[1])
    monkeypatch.chdir(tmp_path)
    return tmp_path


@pytest.fixture
def assistant(workspace, embeddings, backend):
    """The same tests run against the embedded store and a real Chroma server."""
    return Assistant.from_settings(make_settings(workspace / "state", workspace / "docs", **backend), embeddings)


def all_ids(assistant):
    return sorted(assistant.store.collection.get(include=[])["ids"])


def test_reingest_is_idempotent(assistant, workspace):
    first = assistant.ingest(progress=False)
    assert len(first.added) == 2 and first.ok
    ids = all_ids(assistant)
    second = assistant.ingest(progress=False)
    assert (second.added, second.updated, second.removed, second.chunks_written) == ([], [], [], 0)
    assert len(second.unchanged) == 2
    assert all_ids(assistant) == ids
    assert len(ids) == len(set(ids)) == assistant.store.count()


def test_changed_document_replaces_its_chunks(assistant, workspace):
    assistant.ingest(progress=False)
    path = workspace / "docs" / "kenya-coast-guard-service.md"
    before = set(assistant.store.chunk_ids("docs/kenya-coast-guard-service.md"))
    path.write_text(path.read_text(encoding="utf-8") + "\n## Drills\n\nThe Kenya Coast Guard Service held a harbour drill.\n", encoding="utf-8")
    report = assistant.ingest(progress=False)
    assert report.updated == ["docs/kenya-coast-guard-service.md"]
    after = assistant.store.chunk_ids("docs/kenya-coast-guard-service.md")
    assert set(after) != before and len(after) == len(set(after))
    texts = assistant.store.collection.get(ids=after, include=["documents", "metadatas"])
    assert any("harbour drill" in text for text in texts["documents"])
    stored = assistant.store.documents()["docs/kenya-coast-guard-service.md"]
    assert len(stored.doc_hashes) == 1
    assert {m["doc_hash"] for m in texts["metadatas"]} == set(stored.doc_hashes)


def test_a_deleted_document_is_kept_until_a_prune_removes_its_chunks(assistant, workspace):
    assistant.ingest(progress=False)
    (workspace / "docs" / "kenya-bcocc.md").unlink()
    report = assistant.ingest(progress=False)
    assert report.removed == [] and report.vanished == ["docs/kenya-bcocc.md"]
    assert "1 no longer on disk kept (--prune removes them)" in report.summary()
    assert assistant.store.chunk_ids("docs/kenya-bcocc.md")
    report = assistant.ingest(progress=False, prune=True)
    assert report.removed == ["docs/kenya-bcocc.md"]
    assert assistant.store.chunk_ids("docs/kenya-bcocc.md") == []
    assert set(assistant.store.documents()) == {"docs/kenya-coast-guard-service.md"}


def test_unreadable_file_is_named_the_rest_indexed_and_exit_is_nonzero(workspace, monkeypatch, capsys):
    (workspace / "docs" / "broken.pdf").write_bytes(b"%PDF-1.4 truncated")
    monkeypatch.setenv("BRIEFING_HOME", str(workspace / "state"))
    code = main(["ingest", "docs"])
    out, err = capsys.readouterr()
    assert code == 1
    assert "failed: docs/broken.pdf: not a readable PDF" in err
    assert "added 2, updated 0, removed 0, unchanged 0, failed 1" in out


def test_missing_path_is_reported(workspace, monkeypatch, capsys):
    monkeypatch.setenv("BRIEFING_HOME", str(workspace / "state"))
    assert main(["ingest", "nowhere.md"]) == 1
    assert "nowhere.md: no such file or directory" in capsys.readouterr().err
