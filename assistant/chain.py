"""The retrieval chain every surface uses: question (+ history) → passages → cited answer.

Built from LangChain runnables: a step that forms the retrieval query, the
retriever, and a streaming answer step; the answerer is pluggable.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, replace
from functools import cached_property
from pathlib import Path

from langchain_core.retrievers import BaseRetriever
from langchain_core.runnables import Runnable, RunnableGenerator, RunnableLambda, RunnablePassthrough

from assistant.answering import Answer, AnswerDelta, Answerer, verify
from assistant.citations import CitationVerifier
from assistant.embeddings import MiniLMEmbeddings, make_embeddings
from assistant.extractive import ExtractiveAnswerer
from assistant.followups import LLMQuestionRewriter, standalone_query
from assistant.ingest import Admit, Ingestor, IngestReport
from assistant.access import Levels
from assistant.audit import AuditLog
from assistant.prompts import version as prompt_version
from assistant.filters import NO_FILTER, SearchFilter, cleared
from assistant.retrieval import DenseRetriever, HybridRetriever
from assistant.settings import Settings
from assistant.store import KnowledgeStore

Message = dict[str, str]


def validate_history(history: object) -> list[Message]:
    """Earlier turns as `{"role", "content"}` messages; anything else is a clear error."""
    if history is None:
        return []
    if not isinstance(history, list):
        raise ValueError("history must be a JSON list of {\"role\", \"content\"} messages")
    for index, message in enumerate(history):
        if not (isinstance(message, dict) and isinstance(message.get("role"), str)
                and isinstance(message.get("content"), str)):
            raise ValueError(f"history item {index} must be an object with string fields role and content")
        if message["role"] not in ("user", "assistant", "system"):
            raise ValueError(f"history item {index} has unknown role {message['role']!r}")
    return list(history)


_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u2028-\u202e\u2066-\u2069]")


def clean_question(question: str, max_chars: int) -> str:
    """The question without control and direction-override characters; a clear error when empty or too long."""
    if not isinstance(question, str):
        raise ValueError("the question must be text")
    question = " ".join(_CONTROL.sub(" ", question).split())
    if not question:
        raise ValueError("the question is empty")
    if len(question) > max_chars:
        raise ValueError(f"the question has {len(question)} characters; the limit is {max_chars} (BRIEFING_MAX_QUESTION_CHARS)")
    return question


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
DEFAULT_LEVELS = Levels(Settings.levels)


def build_chain(retriever: BaseRetriever, answerer: Answerer, verifier: CitationVerifier,
                config: PipelineConfig = DEFAULT_PIPELINE, rewriter: Rewriter = standalone_query,
                levels: Levels = DEFAULT_LEVELS) -> Runnable:
    """`{"question", "history", "filter"}` in; `AnswerDelta`s then one verified `Answer` out (stream it)."""

    def query_of(state: dict) -> str:
        if config.rewrite_followups:
            return rewriter(state["question"], state["history"])
        return state["question"]

    def answer_events(inputs: Iterator[dict]) -> Iterator[AnswerDelta | Answer]:
        state: dict = {}
        for part in inputs:  # streamed `assign` steps deliver the state in parts
            state.update(part)
        for event in answerer.stream(state["query"], state["passages"]):
            if isinstance(event, Answer):
                event = verify(replace(event, question=state["question"], query=state["query"]), verifier)
                by_chunk = {p.metadata["chunk_id"]: p.metadata.get("classification", "") for p in event.passages}
                event = replace(event, classification=levels.highest_of(by_chunk.get(c.chunk_id, "") for c in event.citations))
            yield event

    return (
        RunnablePassthrough.assign(query=RunnableLambda(query_of))
        | RunnablePassthrough.assign(
            passages=RunnableLambda(lambda state: retriever.invoke(state["query"], search_filter=state["filter"]))
        )
        | RunnableGenerator(answer_events)
    )


@dataclass
class Assistant:
    """The whole pipeline, wired once from settings and shared by the UI, the CLI and the evals.

    >>> assistant = Assistant.from_settings(Settings.from_env())
    >>> assistant.ask("Who led the delegation?").text
    """

    settings: Settings
    embeddings: MiniLMEmbeddings
    store: KnowledgeStore
    answerer: Answerer
    rewriter: Rewriter = standalone_query
    config: PipelineConfig = DEFAULT_PIPELINE
    clearance: str | None = None
    """The asking user's clearance; None: the highest (the local operator who owns the index)."""
    user: str = "local"
    audit: AuditLog | None = None
    """Where answers are recorded; None records nothing (the evals)."""

    @classmethod
    def from_settings(cls, settings: Settings, embeddings: MiniLMEmbeddings | None = None,
                      chat_model=None) -> "Assistant":
        """Embedded mode unless an LLM is configured (or `chat_model`, a LangChain chat model, is given)."""
        embeddings = embeddings or make_embeddings(settings.embeddings, settings.home / "models")
        store = KnowledgeStore.open(settings)
        answerer: Answerer = ExtractiveAnswerer(embeddings, threshold=settings.refusal_threshold)
        rewriter: Rewriter = standalone_query
        if chat_model is None and settings.llm_configured:
            from assistant.llm import chat_model as configured_model

            chat_model = configured_model(settings, streaming=True)
        if chat_model is not None:
            from assistant.llm_answerer import LLMAnswerer

            answerer = LLMAnswerer(chat_model, settings.llm_model or "chat model", fallback=answerer)
            rewriter = LLMQuestionRewriter(chat_model)
        return cls(settings, embeddings, store, answerer, rewriter, audit=AuditLog(settings.audit_file))

    @property
    def mode(self) -> str:
        return f"LLM ({self.answerer.model_name})" if self.answerer.name == "llm" else "embedded (no LLM, offline)"

    @cached_property
    def retriever(self) -> BaseRetriever:
        kind = HybridRetriever if self.config.retrieval == "hybrid" else DenseRetriever
        return kind(store=self.store, embeddings=self.embeddings, k=self.settings.top_k)

    @cached_property
    def levels(self) -> Levels:
        return Levels(self.settings.levels)

    @property
    def visible(self) -> tuple[str, ...] | None:
        """The classification labels this assistant's user may see (None: all)."""
        return self.levels.visible_to(self.clearance or self.levels.highest)

    def for_clearance(self, clearance: str | None, user: str | None = None) -> "Assistant":
        """The same pipeline answering as `user`, of `clearance` (checked against the levels)."""
        if clearance is not None:
            self.levels.check(clearance)
        return replace(self, clearance=clearance, user=user or self.user)

    @property
    def prompt_version(self) -> str:
        if self.answerer.name == "llm":
            return prompt_version("answer_system", "answer_user", "condense_question")
        return "extractive"

    def _record(self, answer: Answer, history: list[Message], search_filter: SearchFilter) -> None:
        if self.audit is None:
            return
        model = getattr(self.answerer, "model_name", "") if answer.mode == "llm" else ""
        self.audit.record(answer, user=self.user, clearance=self.clearance or self.levels.highest, history=history,
                          search_filter=asdict(search_filter), model=model, prompt_version=self.prompt_version)

    @cached_property
    def verifier(self) -> CitationVerifier:
        return CitationVerifier(self.embeddings)

    @cached_property
    def chain(self) -> Runnable:
        return build_chain(self.retriever, self.answerer, self.verifier, self.config, self.rewriter, self.levels)

    def with_pipeline(self, config: PipelineConfig) -> "Assistant":
        """The same store and models behind another pipeline variant."""
        return replace(self, config=config)

    def brief(self, topic: str = "", sources: tuple[str, ...] = (), search_filter: SearchFilter = NO_FILTER):
        """A briefing note on `topic` and/or the given documents (see `assistant.briefing`)."""
        from assistant.briefing import BriefingWriter

        llm = self.answerer.name == "llm"
        extractive = self.answerer.fallback if llm else self.answerer
        model = self.answerer.model if llm else None
        note = BriefingWriter(self.retriever, extractive, self.verifier, model).write(
            topic, sources, cleared(search_filter, self.visible))
        return replace(note, classification=self.levels.highest_of(p.metadata.get("classification", "") for p in note.sources))

    def ingest(self, paths: list[Path] | None = None, progress: bool | None = None, admit: Admit | None = None) -> IngestReport:
        return Ingestor(self.store, self.embeddings, limits=self.settings.file_limits).ingest(
            paths or [self.settings.knowledge_dir], progress, admit=admit)

    def ensure_index(self, progress: bool | None = None) -> IngestReport | None:
        """Build the index from the knowledge folder when it is empty; None when it already exists."""
        if self.store.count():
            return None
        return self.ingest(progress=progress)

    def stream(self, question: str, history: list[Message] | None = None,
               search_filter: SearchFilter = NO_FILTER) -> Iterator[AnswerDelta | Answer]:
        question = clean_question(question, self.settings.max_question_chars)
        history = validate_history(history)
        for event in self.chain.stream({"question": question, "history": history,
                                        "filter": cleared(search_filter, self.visible)}):
            if isinstance(event, Answer):
                self._record(event, history, search_filter)
            yield event

    def ask(self, question: str, history: list[Message] | None = None,
            search_filter: SearchFilter = NO_FILTER) -> Answer:
        final = None
        for event in self.stream(question, history, search_filter):
            if isinstance(event, Answer):
                final = event
        assert final is not None, "the chain always ends with an Answer"
        return final
