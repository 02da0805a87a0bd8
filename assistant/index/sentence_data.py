"""Per-sentence data stored with each passage at ingest, so that answering embeds and tags only the question.

Each chunk's metadata carries its sentences' vectors (float16, base64) and named entities
(JSON), in the order `split_sentences` gives them; answering reads them back instead of
embedding every sentence of the retrieved passages for every question.
"""

from __future__ import annotations

import base64

import numpy as np

from assistant.index.chunks import Chunk
from assistant.index.embeddings import MiniLMEmbeddings
from assistant.text.entities import entities, pack
from assistant.text.sentences import split_sentences

VECTORS = "sentence_vectors"
ENTITIES = "sentence_entities"
STORED = (VECTORS, ENTITIES)
"""Metadata keys that only answering reads (the lexical index does not keep them)."""


def pack_vectors(vectors: np.ndarray) -> str:
    return base64.b64encode(np.asarray(vectors, dtype=np.float16).tobytes()).decode("ascii")


def unpack_vectors(packed: str, count: int) -> np.ndarray | None:
    """The stored vectors, or None when they do not match `count` sentences."""
    raw = np.frombuffer(base64.b64decode(packed), dtype=np.float16)
    if count == 0 or raw.size % count:
        return None
    return raw.reshape(count, -1).astype(np.float32)


def embed_with_sentences(chunks: list[Chunk], embeddings: MiniLMEmbeddings) -> tuple[list[Chunk], list[list[float]]]:
    """The chunks' own vectors, and the chunks with their sentences' vectors and entities in their metadata
    (one embedding call for passages and sentences together)."""
    split = [split_sentences(chunk.text) for chunk in chunks]
    flat = [s for sentences in split for s in sentences]
    vectors = embeddings.embed_documents([chunk.embed_text for chunk in chunks] + flat)
    passage_vectors, sentence_vectors = vectors[:len(chunks)], np.asarray(vectors[len(chunks):], dtype=np.float32)
    found = entities(flat)
    annotated, start = [], 0
    for chunk, sentences in zip(chunks, split):
        end = start + len(sentences)
        extra = {VECTORS: pack_vectors(sentence_vectors[start:end]), ENTITIES: pack(found[start:end])} if sentences else {}
        annotated.append(Chunk(chunk.id, chunk.text, chunk.embed_text, chunk.metadata | extra))
        start = end
    return annotated, passage_vectors
