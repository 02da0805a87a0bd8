"""Per-sentence data stored with each passage at ingest, so that answering embeds only the question.

Each chunk's metadata carries its sentences' vectors (float16, base64) and, for the learned
answerer, their named entities (JSON), in the order `split_sentences` gives them; answering
reads them back instead of embedding every sentence of the retrieved passages for every question.
"""

from __future__ import annotations

import base64

import numpy as np

from assistant.index.chunks import Chunk
from assistant.index.embeddings import MiniLMEmbeddings
from assistant.text.locate import locate
from assistant.text.sentences import split_sentences

VECTORS = "sentence_vectors"
STORED = (VECTORS,)
"""Metadata keys that only answering reads (the lexical index does not keep them)."""


def pack_vectors(vectors: np.ndarray) -> str:
    return base64.b64encode(np.asarray(vectors, dtype=np.float16).tobytes()).decode("ascii")


def unpack_vectors(packed: str, count: int) -> np.ndarray | None:
    """The stored vectors, or None when they do not match `count` sentences."""
    raw = np.frombuffer(base64.b64decode(packed), dtype=np.float16)
    if count == 0 or raw.size % count:
        return None
    return raw.reshape(count, -1).astype(np.float32)


def sentence_spans(chunk: Chunk, sentences: list[str]) -> list[tuple[int, int] | None]:
    """Where each sentence stands in the chunk's embedded text (heading line, then the passage)."""
    offset = chunk.embed_text.rfind(chunk.text)
    if offset < 0:
        return locate(chunk.embed_text, sentences)
    return [None if span is None else (span[0] + offset, span[1] + offset) for span in locate(chunk.text, sentences)]


def embed_with_sentences(chunks: list[Chunk], embeddings: MiniLMEmbeddings) -> tuple[list[Chunk], list[list[float]]]:
    """The chunks' own vectors, and the chunks with their sentences' vectors in their metadata.

    A sentence's vector is pooled from the word pieces of the passage's own pass through the model,
    so storing them costs no second pass; a sentence that cannot be placed there is embedded alone.
    """
    split = [split_sentences(chunk.text) for chunk in chunks]
    spans = [sentence_spans(chunk, sentences) for chunk, sentences in zip(chunks, split)]
    passage_vectors, pooled = embeddings.embed_with_spans([chunk.embed_text for chunk in chunks], spans)
    alone = [(i, k) for i, vectors in enumerate(pooled) for k, vector in enumerate(vectors) if vector is None]
    for (i, k), vector in zip(alone, embeddings.embed_documents([split[i][k] for i, k in alone])):
        pooled[i][k] = np.asarray(vector, dtype=np.float32)
    annotated = []
    for chunk, sentences, vectors in zip(chunks, split, pooled):
        extra = {VECTORS: pack_vectors(np.stack(vectors))} if sentences else {}
        annotated.append(Chunk(chunk.id, chunk.text, chunk.embed_text, chunk.metadata | extra))
    return annotated, passage_vectors.tolist()
