"""Safe ingest into a shared library: sources named independently of the working directory and of where a
checkout sits, removal of vanished documents only on request (`--prune`) and never of an upload, and uploads
kept in the database where every server can replace or remove them.

Two "servers" are two `Assistant`s with their own state roots sharing one collection (the embedded store, or a
real `chroma run` server) and one database file."""

import shutil

import pytest
from conftest import KNOWLEDGE, make_settings

from assistant.app.library import Library
from assistant.app.pipeline import Assistant
from assistant.app.uploads import UploadStore
from assistant.surfaces.cli import main

FILES = ("governance/kenya-bcocc.md", "governance/kenya-coast-guard-service.md", "visits/2024-study-visit-summary.md")


def checkout(root, missing: tuple[str, ...] = ()):
    """A copy of three knowledge files under `root/knowledge` (as another machine's checkout would hold them)."""
    for name in FILES:
        if name not in missing:
            (root / "knowledge" / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(KNOWLEDGE / name, root / "knowledge" / name)
    return root / "knowledge"


@pytest.fixture
def servers(tmp_path, embeddings, backend):
    """Two servers' assistants: checkouts at different paths (the second lacks one file), one collection, one
    database."""
    shared = dict(backend, BRIEFING_DATABASE_URL=f"sqlite:///{tmp_path / 'shared.sqlite3'}")
    if "BRIEFING_CHROMA_URL" not in backend:  # embedded: both open one Chroma folder
        shared["BRIEFING_HOME"] = str(tmp_path / "embedded")
    one = checkout(tmp_path / "srv" / "one")
    two = checkout(tmp_path / "home" / "official" / "copy", missing=("governance/kenya-bcocc.md",))
    first = Assistant.from_settings(make_settings(tmp_path / "a", one, **shared), embeddings)
    second = Assistant.from_settings(make_settings(tmp_path / "b", two, **shared), embeddings)
    return first, second


def test_the_same_file_from_another_checkout_and_directory_is_the_same_document(servers, monkeypatch, tmp_path):
    first, second = servers
    monkeypatch.chdir(tmp_path / "srv")
    report = first.ingest(progress=False)
    assert sorted(report.added) == sorted(f"knowledge/{name}" for name in FILES)
    monkeypatch.chdir("/")
    again = second.ingest(progress=False)  # another machine: another path, another working directory
    assert again.added == [] and again.updated == []
    assert sorted(again.unchanged) == sorted(f"knowledge/{n}" for n in FILES if n != "governance/kenya-bcocc.md")
    assert set(first.store.documents()) == {f"knowledge/{name}" for name in FILES}


def test_a_server_missing_a_file_deletes_nothing_for_everyone_unless_asked(servers):
    first, second = servers
    first.ingest(progress=False)
    chunks = first.store.count()
    report = second.ingest(progress=False)
    assert report.removed == [] and report.vanished == ["knowledge/governance/kenya-bcocc.md"]
    assert first.store.count() == chunks
    report = second.ingest(progress=False, prune=True)
    assert report.removed == ["knowledge/governance/kenya-bcocc.md"]
    assert "knowledge/governance/kenya-bcocc.md" not in first.store.documents()


def test_names_of_folders_single_files_and_as(tmp_path, embeddings, monkeypatch, capsys):
    reports = tmp_path / "deep" / "reports"
    (reports / "2024").mkdir(parents=True)
    shutil.copy(KNOWLEDGE / FILES[0], reports / "2024" / "bcocc.md")
    shutil.copy(KNOWLEDGE / FILES[1], reports / "kcgs.md")
    monkeypatch.setenv("BRIEFING_HOME", str(tmp_path / "state"))
    monkeypatch.setenv("BRIEFING_KNOWLEDGE", str(checkout(tmp_path / "repo")))
    monkeypatch.chdir(tmp_path / "deep")
    assert main(["ingest", str(reports)]) == 0
    assert main(["ingest", str(reports / "kcgs.md")]) == 0  # a file alone: its folder's name and its own
    assert "added 0, updated 0, removed 0, unchanged 1" in capsys.readouterr().out
    assert main(["ingest", "--as", "library/2024", str(reports / "2024")]) == 0
    assert main(["ingest", str(tmp_path / "repo" / "knowledge" / "visits")]) == 0  # inside the knowledge folder
    store = Assistant.from_settings(make_settings(tmp_path / "state"), embeddings).store
    assert set(store.documents()) == {"reports/2024/bcocc.md", "reports/kcgs.md", "library/2024/bcocc.md",
                                      "knowledge/visits/2024-study-visit-summary.md"}
    (tmp_path / "uploads").mkdir()
    shutil.copy(KNOWLEDGE / FILES[0], tmp_path / "uploads" / "x.md")
    capsys.readouterr()
    assert main(["ingest", str(tmp_path / "uploads")]) == 2  # the app's own uploads are named uploads/...
    assert "like the documents uploaded through the app: give the folder another name with --as" in capsys.readouterr().err


def test_uploads_live_in_the_database_and_a_prune_never_touches_them(servers, tmp_path):
    first, second = servers
    first.ingest(progress=False)
    memo = tmp_path / "memo.md"
    memo.write_text("# Memo\n\nThe memo names the kestrel desk.\n")
    results, _ = Library(first).add([("memo.md", memo)], label="official")
    assert results[0].ok, results[0].message
    source = results[0].message.split("indexed as ", 1)[1].split(" (", 1)[0]
    assert source.startswith("uploads/") and source.endswith("/memo.md")
    assert not list(tmp_path.rglob("memo.md"))[1:]  # no copy on any server's disk: only the file we uploaded
    stored = UploadStore(second.database).get(source)
    assert stored.classification == "official" and UploadStore(second.database).data(source) == memo.read_bytes()

    report = second.ingest(progress=False, prune=True)  # another server prunes its knowledge folder
    assert source not in report.removed and source in second.store.documents()

    new = tmp_path / "memo-v2.md"
    new.write_text("# Memo\n\nThe memo now names the osprey desk.\n")
    assert Library(second).replace(source, "memo-v2.md", new).startswith(f"Replaced {source}")  # on the other server
    assert UploadStore(first.database).data(source) == new.read_bytes()
    assert "osprey" in first.ask("Which desk does the memo name?").text
    assert Library(first).remove(source) > 0
    assert UploadStore(second.database).get(source) is None and source not in second.store.documents()


def test_uploads_an_earlier_version_kept_on_disk_move_into_the_database(tmp_path, embeddings, monkeypatch):
    from dataclasses import replace

    from assistant.ingest.ingestor import Incoming

    monkeypatch.chdir(tmp_path)
    home = tmp_path / ".briefing"
    assistant = Assistant.from_settings(make_settings(home, checkout(tmp_path)), embeddings)
    memo = home / "uploads" / "ab12cd" / "memo.md"
    memo.parent.mkdir(parents=True)
    memo.write_text("# Memo\n\nThe memo names the kestrel desk.\n")
    old = ".briefing/uploads/ab12cd/memo.md"  # how an earlier version named it: from the working directory
    assistant.ingest_files([Incoming(old, memo)], admit=lambda d: replace(d, classification="official"))
    assert Library(assistant).adopt_legacy_uploads() == ["uploads/ab12cd/memo.md"]
    documents = assistant.store.documents()
    assert old not in documents and documents["uploads/ab12cd/memo.md"].classification == "official"
    kept = home / "uploads.imported" / "ab12cd" / "memo.md"
    assert UploadStore(assistant.database).data("uploads/ab12cd/memo.md") == kept.read_bytes()
    assert Library(assistant).adopt_legacy_uploads() == []  # once
