"""The library's change counter: every change announced in the database; each server's lexical index brought up
to date when the counter moves, from the changed documents only, and never otherwise.

Two "servers" are two `KnowledgeStore`s, each with its own lexical index under its own state root, sharing one
collection and one database: the embedded Chroma store with a SQLite file, or a real `chroma run` server with a
real PostgreSQL server."""

import threading
import uuid

import numpy as np
import pytest
from conftest import fresh_postgres_database, make_settings

from assistant.database.connection import open_database, upgrade_database
from assistant.database.library_log import LibraryLog, Position
from assistant.index.chunks import INDEX_SCHEMA, Chunk
from assistant.index.lexical import LexicalIndex
from assistant.index.store import POSITION_CHECK_S, KnowledgeStore


@pytest.fixture(params=["embedded+sqlite", "server+postgresql"])
def shared(request, tmp_path) -> dict:
    """Settings two servers share: one collection, one database (and, embedded, one Chroma folder)."""
    env = {"BRIEFING_COLLECTION": f"changes-{uuid.uuid4().hex[:8]}"}
    if request.param == "embedded+sqlite":
        return env | {"BRIEFING_DATABASE_URL": f"sqlite:///{tmp_path / 'shared.sqlite3'}"}
    url = fresh_postgres_database(request.getfixturevalue("postgres"))
    upgrade_database(make_settings(tmp_path, BRIEFING_DATABASE_URL=url))
    return env | {"BRIEFING_DATABASE_URL": url, "BRIEFING_CHROMA_URL": request.getfixturevalue("chroma_server")}


def server(tmp_path, shared, name: str) -> KnowledgeStore:
    """One server's store: its own lexical index under its own state root, the shared collection and database."""
    if "BRIEFING_CHROMA_URL" in shared:
        return KnowledgeStore.open(make_settings(tmp_path / name, **shared))
    store = KnowledgeStore.open(make_settings(tmp_path / "embedded-chroma", **shared))  # one Chroma folder for both
    store.lexical = LexicalIndex(tmp_path / name / "lexical" / shared["BRIEFING_COLLECTION"])
    return store


def document(source: str, sentences: list[str]) -> tuple[list[Chunk], list[list[float]]]:
    rng = np.random.default_rng(abs(hash(source)) % 2**32)
    chunks = [Chunk(id=uuid.uuid4().hex, text=text, embed_text=text, metadata={
        "source": source, "doc_hash": uuid.uuid4().hex, "chunk_count": len(sentences), "chunk_index": n,
        "schema": INDEX_SCHEMA, "embedder": "torch", "title": source, "kind": "note", "classification": "public"})
        for n, text in enumerate(sentences)]
    vectors = rng.normal(size=(len(chunks), 384))
    return chunks, (vectors / np.linalg.norm(vectors, axis=1, keepdims=True)).tolist()


class ChromaReads:
    """Counts the reads a store makes of its collection's chunks (and which documents they asked for)."""

    def __init__(self, store: KnowledgeStore, monkeypatch):
        self.calls: list[dict] = []
        original = store.collection.get

        def counted(*args, **kwargs):
            self.calls.append(kwargs)
            return original(*args, **kwargs)

        monkeypatch.setattr(store.collection, "get", counted)


def test_a_change_on_one_server_reaches_the_other_and_only_the_changed_document_is_read(tmp_path, shared,
                                                                                       monkeypatch):
    a, b = server(tmp_path, shared, "a"), server(tmp_path, shared, "b")
    a.replace_document("notes/osprey.md", *document("notes/osprey.md", ["The osprey desk handles arrivals."]))
    a.replace_document("notes/heron.md", *document("notes/heron.md", ["The heron desk handles departures."]))
    assert [h.id for h in b.lexical_search("osprey", 3)]  # b builds its index whole, once

    reads = ChromaReads(b, monkeypatch)
    for _ in range(5):
        b.lexical_search("heron", 3)
        b._position_read_at = float("-inf")  # as if POSITION_CHECK_S had passed: the counter is read, has not moved
    assert reads.calls == []  # nothing read from the collection while the counter stands still

    a.replace_document("notes/heron.md", *document("notes/heron.md", ["The heron desk now handles kestrels."]))
    a.remove_document("notes/osprey.md")
    b._position_read_at = float("-inf")
    assert b.lexical_search("kestrels", 3) and b.lexical_search("osprey", 3) == []
    assert [call.get("where") for call in reads.calls] == [{"source": {"$in": ["notes/heron.md", "notes/osprey.md"]}}]
    assert b.lexical.position == a.log.position() == b.log.position()
    assert sorted(b.lexical.ids) == sorted(a.collection.get(include=[])["ids"])


def test_a_restarted_server_catches_up_from_its_saved_index(tmp_path, shared, monkeypatch):
    a, b = server(tmp_path, shared, "a"), server(tmp_path, shared, "b")
    for n in range(3):
        a.replace_document(f"notes/{n}.md", *document(f"notes/{n}.md", [f"Note {n} about desk number {n}."]))
    b.sync_lexical()
    a.replace_document("notes/1.md", *document("notes/1.md", ["Note one now names the pelican desk."]))
    restarted = server(tmp_path, shared, "b")  # same state root: reads b's saved index
    reads = ChromaReads(restarted, monkeypatch)
    assert restarted.lexical_search("pelican", 3)
    assert [call.get("where") for call in reads.calls] == [{"source": {"$in": ["notes/1.md"]}}]


def test_a_searching_server_does_not_read_the_counter_more_than_it_needs(tmp_path, shared, monkeypatch):
    a = server(tmp_path, shared, "a")
    a.replace_document("notes/x.md", *document("notes/x.md", ["The x desk."]))
    a.lexical_search("desk", 3)
    reads = []
    original = a.log.position
    monkeypatch.setattr(a.log, "position", lambda: reads.append(1) or original())
    for _ in range(20):
        a.lexical_search("desk", 3)
    assert len(reads) <= 1 and POSITION_CHECK_S <= 1


def test_a_change_stored_but_never_announced_is_found_by_the_next_ingest_check(tmp_path, shared):
    """A writer killed between writing the vectors and announcing them: the next ingest's check announces it."""
    a, b = server(tmp_path, shared, "a"), server(tmp_path, shared, "b")
    a.replace_document("notes/a.md", *document("notes/a.md", ["The albatross desk."]))
    a.sync_lexical()
    b.sync_lexical()
    chunks, vectors = document("notes/b.md", ["The booby desk."])
    a.collection.upsert(ids=[c.id for c in chunks], documents=[c.text for c in chunks],
                        metadatas=[c.metadata for c in chunks], embeddings=vectors)  # no announcement
    b._position_read_at = float("-inf")
    assert b.lexical_search("booby", 3) == []
    a = server(tmp_path, shared, "a")  # the next ingest, a new process on the same machine
    a.sync_lexical(check=True)  # what every ingest does last: its saved index lacks the unannounced document
    b._position_read_at = float("-inf")
    assert b.lexical_search("booby", 3)


def test_concurrent_announcements_get_consecutive_versions_and_lose_no_document(tmp_path, shared):
    settings = make_settings(tmp_path / "x", BRIEFING_DATABASE_URL=shared["BRIEFING_DATABASE_URL"])
    logs = [LibraryLog(open_database(settings), shared["BRIEFING_COLLECTION"]) for _ in range(2)]
    start = logs[0].position()
    barrier = threading.Barrier(8)

    def announce(n):
        barrier.wait()
        for m in range(5):
            logs[n % 2].announce([f"doc-{n}-{m}.md"])

    threads = [threading.Thread(target=announce, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    end = logs[1].position()
    assert end.version == start.version + 40
    assert logs[0].changed_between(start, end) == {f"doc-{n}-{m}.md" for n in range(8) for m in range(5)}
    assert logs[0].changed_between(Position("another epoch", 0), end) is None
