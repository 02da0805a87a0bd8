"""The Chroma collection of chunks: incremental replace and delete, batched writes, search.

Chroma only stores and searches vectors here; the vectors come from our own
LangChain `Embeddings`, never from Chroma's default embedding function. Every change to a document
is announced on the library's change counter (`assistant.database.library_log`) once it is in
Chroma; the lexical index follows the counter (`sync_lexical`): each search reads the counter (at most
every `POSITION_CHECK_S`), and the index is brought up to date, from the changed documents only,
when it has moved.
"""

from __future__ import annotations

import threading
import time
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlparse

import chromadb
from chromadb.config import Settings as ChromaSettings

from assistant.config.parameters import parameters
from assistant.config.settings import Settings
from assistant.database.connection import open_database
from assistant.database.library_log import LibraryLog, Position
from assistant.index.chunks import INDEX_SCHEMA, Chunk
from assistant.index.filters import NO_FILTER, SearchFilter
from assistant.index.lexical import LexicalHit, LexicalIndex
from assistant.index.visit import MARK, Visit

POSITION_CHECK_S = 0.25
"""How often, at most, a search reads the change counter."""
EF_SEARCH = int(parameters()["retrieval"]["ef_search"])
"""How broadly the HNSW graph is searched: broad enough that the nearest chunks do not depend on how the graph was
built (Chroma builds it differently each time, even from the same chunks in the same order)."""


@dataclass(frozen=True)
class StoredDocument:
    """What the store knows of one indexed document."""

    source: str
    doc_hashes: frozenset[str]
    chunk_count: int
    expected_chunks: int
    schemas: frozenset[int] = frozenset({INDEX_SCHEMA})
    embedders: frozenset[str] = frozenset({"torch"})
    title: str = ""
    kind: str = ""
    date: str = ""
    classification: str = ""

    def is_current(self, content_hash: str, embedder: str = "torch") -> bool:
        """True when exactly one complete version, with this hash, today's schema and this embedder, is stored."""
        return (
            self.doc_hashes == {content_hash}
            and self.chunk_count == self.expected_chunks
            and self.schemas == {INDEX_SCHEMA}
            and self.embedders == {embedder}
        )


@dataclass(frozen=True)
class ScoredChunk:
    id: str
    text: str
    metadata: dict
    score: float
    """Cosine similarity to the query, in [-1, 1]."""


class KnowledgeStore:
    """A persistent Chroma collection (cosine distance) holding the knowledge base's chunks.

    >>> store = KnowledgeStore.open(settings)
    >>> store.replace_document("knowledge/a.md", chunks, vectors)
    >>> store.search(query_vector, k=5)
    """

    def __init__(self, client: chromadb.api.ClientAPI, collection_name: str, lexical_dir: Path, log: LibraryLog):
        self.client = client
        self.collection = client.get_or_create_collection(
            collection_name, embedding_function=None, configuration={"hnsw": {"space": "cosine", "ef_search": EF_SEARCH}}
        )
        self._search_broadly()
        self.batch_size = client.get_max_batch_size()
        self.lexical = LexicalIndex(lexical_dir / collection_name)
        self.log = log
        self._sync_lock = threading.Lock()
        self._position_read_at = float("-inf")
        self.checked_for: str | None = None
        """The embedding backend this store was last found complete for (set by the pipeline's index check)."""

    @classmethod
    def open(cls, settings: Settings) -> "KnowledgeStore":
        """The embedded store under the state root, or the Chroma server at `BRIEFING_CHROMA_URL`; its change counter
        in the database of `settings`."""
        log = LibraryLog(open_database(settings), settings.collection)
        chroma_settings = ChromaSettings(anonymized_telemetry=False)
        if settings.chroma_url:
            url = urlparse(settings.chroma_url)
            if url.scheme not in ("http", "https") or not url.hostname:
                raise ValueError(f"BRIEFING_CHROMA_URL must look like http://host:8000, got {settings.chroma_url!r}")
            try:
                client = chromadb.HttpClient(host=url.hostname, port=url.port or (443 if url.scheme == "https" else 8000),
                                             ssl=url.scheme == "https", settings=chroma_settings)
            except Exception as exc:  # noqa: BLE001 - any connection failure is one clear line
                raise ValueError(f"cannot reach the Chroma server at {settings.chroma_url}: {exc}") from None
            # Each machine keeps its own lexical index of the shared collection, brought up to date when it changes.
            return cls(client, settings.collection, settings.home / "lexical" / f"{url.hostname}-{url.port}", log)
        settings.chroma_dir.mkdir(parents=True, exist_ok=True)
        client = chromadb.PersistentClient(path=str(settings.chroma_dir), settings=chroma_settings)
        return cls(client, settings.collection, settings.home / "lexical", log)

    def _search_broadly(self) -> None:
        """Give a collection created before `EF_SEARCH` was set that breadth (Chroma applies it from the next time
        the collection is loaded)."""
        hnsw = (self.collection.configuration_json or {}).get("hnsw") or {}
        if hnsw.get("ef_search") != EF_SEARCH:
            self.collection.modify(configuration={"hnsw": {"ef_search": EF_SEARCH}})

    def count(self) -> int:
        return self.collection.count()

    def documents(self) -> dict[str, StoredDocument]:
        """Every stored document by source, read from its chunks' metadata."""
        hashes: dict[str, set[str]] = defaultdict(set)
        schemas: dict[str, set[int]] = defaultdict(set)
        embedders: dict[str, set[str]] = defaultdict(set)
        counts: dict[str, int] = defaultdict(int)
        expected: dict[str, int] = {}
        described: dict[str, dict] = {}
        for page in self._pages(["metadatas"]):
            for meta in page["metadatas"]:
                source = meta["source"]
                hashes[source].add(meta["doc_hash"])
                schemas[source].add(int(meta.get("schema", 1)))
                embedders[source].add(str(meta.get("embedder", "torch")))
                counts[source] += 1
                expected[source] = int(meta.get("chunk_count", 0))
                described.setdefault(source, meta)
        return {
            source: StoredDocument(
                source, frozenset(hashes[source]), counts[source], expected[source], frozenset(schemas[source]),
                frozenset(embedders[source]),
                *(str(described[source].get(key, "")) for key in ("title", "kind", "date", "classification")),
            )
            for source in hashes
        }

    def _pages(self, include: list[str], where: dict | None = None) -> Iterable[dict]:
        offset = 0
        while True:
            page = self.collection.get(where=where, include=include, limit=self.batch_size, offset=offset)
            yield page
            if len(page["ids"]) < self.batch_size:
                return
            offset += self.batch_size

    def _chunks_of(self, where: dict | None) -> tuple[list[str], list[str], list[dict]]:
        ids, texts, metadatas = [], [], []
        for page in self._pages(["documents", "metadatas"], where):
            ids += page["ids"]
            texts += page["documents"]
            metadatas += page["metadatas"]
        return ids, texts, metadatas

    def sync_lexical(self, check: bool = False) -> bool:
        """Bring the lexical index up to the change counter: from the documents changed since the position it
        matches, or whole when it has none (first start, a lost or outdated save, another database). True when it
        changed. Saved, so that a restart catches up from there. `check` (the end of an ingest) then compares
        its chunks with the collection's and announces every document they disagree on, so that a change a
        killed writer stored but never announced reaches every server (it is found against this machine's
        saved index: an index built whole here holds it already, and others learn of it at the next change
        of that document)."""
        target = self.log.position()
        self._position_read_at = time.monotonic()
        if self.lexical.position == target and not check:
            return False
        # A thread that finds another bringing the index up to date searches the current one meanwhile.
        if not self._sync_lock.acquire(blocking=self.lexical.position is None or check):
            return False
        try:
            changed = self._catch_up(self.log.position())
            if check:
                missed = self._unannounced()
                if missed:
                    self.log.announce(missed)
                    changed = self._catch_up(self.log.position()) or changed
            return changed
        finally:
            self._sync_lock.release()

    def _catch_up(self, target: Position) -> bool:
        if self.lexical.position is None and not (self.lexical.load() and self.lexical.position is not None):
            self.lexical.position = Position("never built", -1)
        if self.lexical.position == target:
            return False
        sources = self.log.changed_between(self.lexical.position, target)
        if sources is None:
            self.lexical.build(*self._chunks_of(None), position=target)
        else:
            where = {"source": {"$in": sorted(sources)}}
            self.lexical.update(sources, *self._chunks_of(where), position=target)
        self.lexical.save()
        return True

    def _unannounced(self) -> set[str]:
        """The documents of the chunks the collection and the lexical index do not share (chunk ids are hashes of
        their text, so a changed text is a changed id)."""
        stored = {i for page in self._pages([]) for i in page["ids"]}
        indexed = dict(zip(self.lexical.ids, (m.get("source", "") for m in self.lexical.metadatas)))
        missing = sorted(stored - indexed.keys())
        return ({meta["source"] for _, meta in self.get_chunks(missing).values()}
                | {indexed[i] for i in indexed.keys() - stored})

    def _follow_counter(self) -> None:
        if self.lexical.position is None or time.monotonic() - self._position_read_at >= POSITION_CHECK_S:
            self.sync_lexical()

    def lexical_search(self, query: str, k: int, search_filter: SearchFilter = NO_FILTER) -> list[LexicalHit]:
        """BM25 hits, from an index brought up to the change counter first when it has moved."""
        self._follow_counter()
        return self.lexical.search(query, k, search_filter)

    def idf(self, terms: set[str], search_filter: SearchFilter = NO_FILTER) -> dict[str, float]:
        """Inverse document frequency of each of `terms` (stemmed, as `lexical_tokens` gives them) over the passages
        the filter admits."""
        self._follow_counter()
        return self.lexical.idf(terms, search_filter)

    def get_chunks(self, ids: list[str], with_vectors: bool = False) -> dict[str, tuple]:
        """Text and metadata (and, `with_vectors`, the stored vector) of the given chunk ids (those that exist)."""
        if not ids:
            return {}
        include = ["documents", "metadatas"] + (["embeddings"] if with_vectors else [])
        found = self.collection.get(ids=ids, include=include)
        columns = [found["documents"], found["metadatas"]] + ([found["embeddings"]] if with_vectors else [])
        return {i: tuple(row) for i, *row in zip(found["ids"], *columns)}

    def embedder(self) -> str | None:
        """The embedding backend of the stored vectors (None when the store is empty)."""
        sample = self.collection.get(limit=1, include=["metadatas"])["metadatas"]
        return str(sample[0].get("embedder", "torch")) if sample else None

    def kinds(self) -> set[str]:
        """The document kinds in the collection."""
        return {meta.get("kind", "") for page in self._pages(["metadatas"]) for meta in page["metadatas"]} - {""}

    def visits(self, search_filter: SearchFilter = NO_FILTER) -> list[Visit]:
        """The study visits the documents the filter admits declare, those with the most passages first."""
        where = {MARK: 1} if search_filter.where() is None else {"$and": [{MARK: 1}, search_filter.where()]}
        found = self.collection.get(where=where, include=["metadatas"])["metadatas"]
        counts = Counter(visit for visit in map(Visit.from_metadata, found) if visit is not None)
        return [visit for visit, _ in counts.most_common()]

    def sections(self, source: str) -> list[str]:
        """The section headings of a document, in reading order."""
        found = self.collection.get(where={"source": source}, include=["metadatas"])["metadatas"]
        ordered = sorted(found, key=lambda m: int(m.get("chunk_index", 0)))
        return list(dict.fromkeys(m.get("section", "") for m in ordered if m.get("section")))

    def chunk_ids(self, source: str) -> list[str]:
        return self.collection.get(where={"source": source}, include=[])["ids"]

    def _batches(self, items: Sequence) -> Iterable[slice]:
        for start in range(0, len(items), self.batch_size):
            yield slice(start, start + self.batch_size)

    def replace_document(self, source: str, chunks: list[Chunk], vectors: list[list[float]]) -> None:
        """Store `chunks` as the whole of `source`: new ones are written first, stale ones removed after."""
        if len(chunks) != len(vectors):
            raise ValueError("one vector per chunk is required")
        old_ids = set(self.chunk_ids(source))
        for part in self._batches(chunks):
            batch = chunks[part]
            self.collection.upsert(
                ids=[chunk.id for chunk in batch],
                documents=[chunk.text for chunk in batch],
                metadatas=[chunk.metadata for chunk in batch],
                embeddings=vectors[part],
            )
        self._delete(sorted(old_ids - {chunk.id for chunk in chunks}))
        self.log.announce([source])

    def remove_document(self, source: str) -> int:
        ids = self.chunk_ids(source)
        self._delete(ids)
        if ids:
            self.log.announce([source])
        return len(ids)

    def _delete(self, ids: list[str]) -> None:
        for part in self._batches(ids):
            self.collection.delete(ids=ids[part])

    def search(self, vector: list[float], k: int, search_filter: SearchFilter = NO_FILTER) -> list[ScoredChunk]:
        """The `k` chunks nearest to `vector` that pass the filter, best first."""
        total = self.count()
        if total == 0:
            return []
        result = self.collection.query(
            query_embeddings=[vector], n_results=min(k, total), where=search_filter.where(),
            include=["documents", "metadatas", "distances"],
        )
        return [
            ScoredChunk(id=i, text=text, metadata=meta, score=1.0 - distance)
            for i, text, meta, distance in zip(
                result["ids"][0], result["documents"][0], result["metadatas"][0], result["distances"][0]
            )
        ]
