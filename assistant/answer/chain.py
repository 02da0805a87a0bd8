"""The retrieval chain every surface uses: question (+ history) → passages → cited answer.

Built from LangChain runnables: a step that forms the retrieval query, the
retriever, and a streaming answer step; the answerer is pluggable.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, replace

from langchain_core.retrievers import BaseRetriever
from langchain_core.runnables import Runnable, RunnableGenerator, RunnableLambda, RunnablePassthrough

from assistant.answer.followups import standalone_query
from assistant.answer.inputs import Message
from assistant.answer.streaming import VerifiedSentences, supported_sentences
from assistant.answer.types import Answer, AnswerDelta, Answerer, is_low_confidence, verify
from assistant.answer.verification import CitationVerifier


@dataclass(frozen=True)
class PipelineConfig:
    """A named variant of the pipeline, so the evals can compare variants in one run."""

    name: str
    description: str
    retrieval: str = "hybrid"
    """`dense` (Chroma only) or `hybrid` (Chroma and BM25, fused by reciprocal rank)."""
    rewrite_followups: bool = True


PIPELINES = {
    "dense": PipelineConfig("dense", "dense retrieval of the question as asked", "dense", False),
    "hybrid": PipelineConfig("hybrid", "hybrid retrieval (dense + BM25, RRF) of the question as asked", "hybrid", False),
    "current": PipelineConfig("current", "hybrid retrieval with follow-up rewriting (the default pipeline)", "hybrid", True),
}
DEFAULT_PIPELINE = PIPELINES["current"]


Rewriter = Callable[[str, list[Message]], str]
HighestLabel = Callable[[Iterable[str]], str]
"""The most restrictive of some classification labels (see `assistant.app.access.Levels.highest_of`)."""


def build_chain(retriever: BaseRetriever, answerer: Answerer, verifier: CitationVerifier, highest_label: HighestLabel,
                config: PipelineConfig = DEFAULT_PIPELINE, rewriter: Rewriter = standalone_query) -> Runnable:
    """`{"question", "history", "filter"}` in; `AnswerDelta`s then one verified `Answer` out (stream it)."""

    def query_of(state: dict) -> str:
        if config.rewrite_followups:
            return rewriter(state["question"], state["history"])
        return state["question"]

    def answer_events(inputs: Iterator[dict]) -> Iterator[AnswerDelta | Answer]:
        """Only verified sentences are sent (see `assistant.answer.streaming`): a drafting answerer's text a
        sentence at a time, each once its passages support it; an answer composed whole, once verified."""
        state: dict = {}
        for part in inputs:  # streamed `assign` steps deliver the state in parts
            state.update(part)
        draft = VerifiedSentences(state["passages"], verifier)
        drafted = False
        for event in answerer.stream(state["query"], state["passages"]):
            if isinstance(event, AnswerDelta):
                drafted = True
                yield from draft.feed(event.text)
                continue
            event = verify(replace(event, question=state["question"], query=state["query"]), verifier)
            by_chunk = {p.metadata["chunk_id"]: p.metadata.get("classification", "") for p in event.passages}
            # A fallback answer came from the embedded answerer: its calibration says how confident it is.
            bar = (answerer.embedded if event.mode == "extractive-fallback" else answerer).low_confidence_below
            event = replace(event, classification=highest_label(by_chunk.get(c.chunk_id, "") for c in event.citations),
                            low_confidence=is_low_confidence(event, bar))
            yield from draft.finish() if drafted else supported_sentences(event)
            yield event

    return (
        RunnablePassthrough.assign(query=RunnableLambda(query_of))
        | RunnablePassthrough.assign(
            passages=RunnableLambda(lambda state: retriever.invoke(state["query"], search_filter=state["filter"]))
        )
        | RunnableGenerator(answer_events)
    )
