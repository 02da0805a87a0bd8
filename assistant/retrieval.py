"""Dense retrieval over the knowledge store, as a LangChain retriever."""

from __future__ import annotations

from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document
from langchain_core.retrievers import BaseRetriever
from pydantic import ConfigDict

from assistant.embeddings import MiniLMEmbeddings
from assistant.store import KnowledgeStore


class DenseRetriever(BaseRetriever):
    """Top-`k` passages by cosine similarity; each Document carries `chunk_id` and `score` in its metadata."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    store: KnowledgeStore
    embeddings: MiniLMEmbeddings
    k: int = 6

    def _get_relevant_documents(
        self, query: str, *, run_manager: CallbackManagerForRetrieverRun | None = None
    ) -> list[Document]:
        vector = self.embeddings.embed_query(query)
        return [
            Document(page_content=hit.text, metadata=hit.metadata | {"chunk_id": hit.id, "score": hit.score})
            for hit in self.store.search(vector, self.k)
        ]
