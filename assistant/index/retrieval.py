"""Retrievers over the knowledge store: dense (Chroma), and hybrid (dense + BM25 fused by reciprocal rank).

Both are LangChain retrievers; both take a `search_filter` (kind, source, date range)
that is applied inside the store query and the lexical index alike.
"""

from __future__ import annotations

import numpy as np
from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document
from langchain_core.retrievers import BaseRetriever
from pydantic import ConfigDict

from assistant.config.parameters import parameters
from assistant.index.embeddings import MiniLMEmbeddings
from assistant.index.filters import NO_FILTER, SearchFilter
from assistant.index.store import KnowledgeStore

_P = parameters()["retrieval"]


def _document(chunk_id: str, text: str, metadata: dict, score: float, dense: float | None = None,
              lexical: float = 0.0) -> Document:
    """A retrieved passage; `score` is what ranked it, `dense` its cosine to the query, `lexical` its BM25 score."""
    scores = {"score": score, "dense": score if dense is None else dense, "lexical": lexical}
    return Document(page_content=text, metadata=metadata | {"chunk_id": chunk_id} | scores)


class DenseRetriever(BaseRetriever):
    """Top-`k` passages by cosine similarity; each Document carries `chunk_id` and `score` in its metadata."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    store: KnowledgeStore
    embeddings: MiniLMEmbeddings
    k: int = 6

    def _get_relevant_documents(
        self, query: str, *, run_manager: CallbackManagerForRetrieverRun | None = None,
        search_filter: SearchFilter = NO_FILTER,
    ) -> list[Document]:
        vector = self.embeddings.embed_query(query)
        return [_document(hit.id, hit.text, hit.metadata, hit.score) for hit in self.store.search(vector, self.k, search_filter)]


class HybridRetriever(DenseRetriever):
    """Dense and BM25 candidates fused by reciprocal rank fusion (score = Σ 1 / (rrf_k + rank))."""

    candidates: int = _P["candidates"]
    rrf_k: int = _P["rrf_k"]

    def _get_relevant_documents(
        self, query: str, *, run_manager: CallbackManagerForRetrieverRun | None = None,
        search_filter: SearchFilter = NO_FILTER,
    ) -> list[Document]:
        vector = self.embeddings.embed_query(query)
        dense = self.store.search(vector, self.candidates, search_filter)
        lexical = self.store.lexical_search(query, self.candidates, search_filter)
        fused: dict[str, float] = {}
        for ranking in ([hit.id for hit in dense], [hit.id for hit in lexical]):
            for rank, chunk_id in enumerate(ranking, start=1):
                fused[chunk_id] = fused.get(chunk_id, 0.0) + 1.0 / (self.rrf_k + rank)
        best = sorted(fused, key=fused.get, reverse=True)[: self.k]
        known = {hit.id: (hit.text, hit.metadata) for hit in dense}
        cosine = {hit.id: hit.score for hit in dense}
        missing = self.store.get_chunks([i for i in best if i not in known], with_vectors=True)
        for chunk_id, (text, metadata, stored) in missing.items():
            known[chunk_id] = (text, metadata)
            cosine[chunk_id] = float(np.dot(stored, vector))
        bm25 = {hit.id: hit.score for hit in lexical}
        return [
            _document(i, *known[i], fused[i], cosine[i], bm25.get(i, 0.0))
            for i in best if i in known
        ]
