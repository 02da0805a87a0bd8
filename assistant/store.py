"""The Chroma collection of chunks: incremental replace and delete, batched writes, search.

Chroma only stores and searches vectors here; the vectors come from our own
LangChain `Embeddings`, never from Chroma's default embedding function.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import chromadb
from chromadb.config import Settings as ChromaSettings

from assistant.chunking import Chunk
from assistant.settings import Settings


@dataclass(frozen=True)
class StoredDocument:
    """What the store knows of one indexed document."""

    source: str
    doc_hashes: frozenset[str]
    chunk_count: int
    expected_chunks: int

    def is_current(self, content_hash: str) -> bool:
        """True when exactly one complete version, with this hash, is stored."""
        return self.doc_hashes == {content_hash} and self.chunk_count == self.expected_chunks


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

    def __init__(self, client: chromadb.api.ClientAPI, collection_name: str):
        self.client = client
        self.collection = client.get_or_create_collection(
            collection_name, embedding_function=None, configuration={"hnsw": {"space": "cosine"}}
        )
        self.batch_size = client.get_max_batch_size()

    @classmethod
    def open(cls, settings: Settings) -> "KnowledgeStore":
        settings.chroma_dir.mkdir(parents=True, exist_ok=True)
        client = chromadb.PersistentClient(
            path=str(settings.chroma_dir), settings=ChromaSettings(anonymized_telemetry=False)
        )
        return cls(client, settings.collection)

    def count(self) -> int:
        return self.collection.count()

    def documents(self) -> dict[str, StoredDocument]:
        """Every stored document by source, read from its chunks' metadata."""
        hashes: dict[str, set[str]] = defaultdict(set)
        counts: dict[str, int] = defaultdict(int)
        expected: dict[str, int] = {}
        offset = 0
        while True:
            page = self.collection.get(include=["metadatas"], limit=self.batch_size, offset=offset)
            for meta in page["metadatas"]:
                source = meta["source"]
                hashes[source].add(meta["doc_hash"])
                counts[source] += 1
                expected[source] = int(meta.get("chunk_count", 0))
            if len(page["ids"]) < self.batch_size:
                break
            offset += self.batch_size
        return {
            source: StoredDocument(source, frozenset(hashes[source]), counts[source], expected[source])
            for source in hashes
        }

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

    def remove_document(self, source: str) -> int:
        ids = self.chunk_ids(source)
        self._delete(ids)
        return len(ids)

    def _delete(self, ids: list[str]) -> None:
        for part in self._batches(ids):
            self.collection.delete(ids=ids[part])

    def search(self, vector: list[float], k: int, where: dict | None = None) -> list[ScoredChunk]:
        """The `k` chunks nearest to `vector`, best first."""
        total = self.count()
        if total == 0:
            return []
        result = self.collection.query(
            query_embeddings=[vector], n_results=min(k, total), where=where,
            include=["documents", "metadatas", "distances"],
        )
        return [
            ScoredChunk(id=i, text=text, metadata=meta, score=1.0 - distance)
            for i, text, meta, distance in zip(
                result["ids"][0], result["documents"][0], result["metadatas"][0], result["distances"][0]
            )
        ]
