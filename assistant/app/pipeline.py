"""The whole pipeline, wired once from settings: the one object the UI, the CLI and the evals call."""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from dataclasses import asdict, dataclass, replace
from functools import cached_property
from pathlib import Path

from langchain_core.retrievers import BaseRetriever
from langchain_core.runnables import Runnable

from assistant.answer.chain import DEFAULT_PIPELINE, PipelineConfig, Rewriter, build_chain
from assistant.answer.followups import LLMQuestionRewriter, standalone_query
from assistant.answer.learned import LearnedAnswerer
from assistant.answer.inputs import Message, clean_question, validate_history
from assistant.answer.prompts import version as prompt_version
from assistant.answer.types import Answer, AnswerDelta, Answerer
from assistant.answer.verification import CitationVerifier
from assistant.app.access import Levels
from assistant.app.audit import AuditLog
from assistant.app.state import open_state
from assistant.config.settings import Settings
from assistant.database.connection import Database
from assistant.index.backends import make_embeddings
from assistant.index.embeddings import MiniLMEmbeddings
from assistant.index.filters import NO_FILTER, SearchFilter, cleared
from assistant.index.retrieval import DenseRetriever, HybridRetriever
from assistant.index.store import KnowledgeStore
from assistant.ingest.ingestor import Admit, Incoming, Ingestor, IngestReport

LOG = logging.getLogger(__name__)
_INDEX_LOCK = threading.Lock()


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
    database: Database | None = None
    """The shared state: users, audit, feedback, uploads (see `assistant.database`)."""

    @classmethod
    def from_settings(cls, settings: Settings, embeddings: MiniLMEmbeddings | None = None,
                      chat_model=None) -> "Assistant":
        """Embedded mode unless an LLM is configured (or `chat_model`, a LangChain chat model, is given)."""
        database = open_state(settings)
        embeddings = embeddings or make_embeddings(settings.embeddings, settings.home / "models")
        store = KnowledgeStore.open(settings)
        answerer: Answerer = LearnedAnswerer(embeddings, store.idf, threshold=settings.refusal_threshold)
        rewriter: Rewriter = standalone_query
        if chat_model is None and settings.llm_configured:
            from assistant.answer.chat_model import chat_model as configured_model

            chat_model = configured_model(settings, streaming=True)
        if chat_model is not None:
            from assistant.answer.llm_answerer import LLMAnswerer

            answerer = LLMAnswerer(chat_model, settings.llm_model or "chat model", fallback=answerer)
            rewriter = LLMQuestionRewriter(chat_model)
        return cls(settings, embeddings, store, answerer, rewriter, audit=AuditLog(database, settings.server_name),
                   database=database)

    @property
    def mode(self) -> str:
        return self.answerer.mode_label

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
        return prompt_version(*self.answerer.prompt_files) if self.answerer.prompt_files else "extractive"

    def _record(self, answer: Answer, history: list[Message], search_filter: SearchFilter) -> None:
        if self.audit is None:
            return
        model = self.answerer.model_name if answer.mode == "llm" else ""
        self.audit.record(answer, user=self.user, clearance=self.clearance or self.levels.highest, history=history,
                          search_filter=asdict(search_filter), model=model, prompt_version=self.prompt_version)

    @cached_property
    def verifier(self) -> CitationVerifier:
        return CitationVerifier(self.embeddings)

    @cached_property
    def chain(self) -> Runnable:
        return build_chain(self.retriever, self.answerer, self.verifier, self.levels.highest_of, self.config, self.rewriter)

    def with_pipeline(self, config: PipelineConfig) -> "Assistant":
        """The same store and models behind another pipeline variant."""
        return replace(self, config=config)

    def briefing_writer(self, search_filter: SearchFilter = NO_FILTER):
        """The briefing writer for this user: term rarity, and the study visits the documents declare, are read
        from the passages they may see."""
        from assistant.answer.briefing_writer import BriefingWriter
        from assistant.answer.relevance import TopicRelevance

        visible = SearchFilter(classifications=cleared(search_filter, self.visible).classifications)
        relevance = TopicRelevance(self.embeddings, lambda words: self.store.idf(words, visible))
        return BriefingWriter(self.retriever, self.answerer, self.verifier, relevance, visits=self.store.visits(visible))

    def brief(self, topic: str = "", sources: tuple[str, ...] = (), search_filter: SearchFilter = NO_FILTER,
              length: str = "standard"):
        """A briefing note on `topic` and/or the given documents, `one-page` or `standard`
        (see `assistant.answer.briefing_writer`)."""
        self.ensure_index()
        note = self.briefing_writer(search_filter).write(topic, sources, cleared(search_filter, self.visible), length)
        return replace(note, classification=self.levels.highest_of(p.metadata.get("classification", "") for p in note.sources))

    def compare(self, topic: str, other: str, sources: tuple[str, ...] = (), search_filter: SearchFilter = NO_FILTER,
                length: str = "standard"):
        """A comparison note: `topic` and `other` side by side, section by section (see `assistant.answer.comparison`)."""
        self.ensure_index()
        note = self.briefing_writer(search_filter).compare(topic, other, sources, cleared(search_filter, self.visible), length)
        return replace(note, classification=self.levels.highest_of(p.metadata.get("classification", "") for p in note.sources))

    @property
    def ingestor(self) -> Ingestor:
        return Ingestor(self.store, self.embeddings, limits=self.settings.file_limits)

    def ingest(self, paths: list[Path] | None = None, progress: bool | None = None, admit: Admit | None = None,
               check: bool = False, name: str | None = None, base: Path | None = None,
               prune: bool = False) -> IngestReport:
        """Index `paths` (default: the knowledge folder), named as `assistant.ingest.ingestor` says (`name`: the
        name of the folders' files; `base`: name them by their path from there); `check` compares each file's
        own words with what is stored for it; `prune` removes documents of the folders that are no longer on disk
        (never an upload)."""
        return self.ingestor.ingest(paths or [self.settings.knowledge_dir], progress, admit, check,
                                    knowledge_dir=self.settings.knowledge_dir, name=name, base=base, prune=prune)

    def ingest_files(self, files: list[Incoming], progress: bool | None = None, admit: Admit | None = None
                     ) -> IngestReport:
        """Index files each under the name it comes with (the library's uploads)."""
        return self.ingestor.ingest_files(files, progress, admit)

    def ensure_index(self, progress: bool | None = None) -> IngestReport | None:
        """Make the index usable: re-embed it when it was built with another embedding backend, build it
        from the knowledge folder when it is empty. None when it was ready; a clear error when it cannot be.
        Checked once per store and backend, so questions after the first pay nothing for it."""
        backend = self.embeddings.backend
        if self.store.checked_for == backend:
            return None
        with _INDEX_LOCK:
            report = self._make_index_usable(progress)
            self.store.checked_for = backend
            return report

    def _make_index_usable(self, progress: bool | None) -> IngestReport | None:
        stored = self.store.embedder()
        if stored is not None and stored != self.embeddings.backend:
            LOG.info("The index was embedded with %s; re-embedding it with %s ...", stored, self.embeddings.backend)
            return self._report(self.ingest(progress=progress))
        if stored is not None:
            return None
        knowledge = self.settings.knowledge_dir
        if not knowledge.is_dir():
            raise ValueError(f"no index yet and no knowledge folder at {knowledge}; run `briefing ingest PATH`")
        LOG.info("No index yet: building it from %s ...", knowledge)
        return self._report(self.ingest(progress=progress))

    @staticmethod
    def _report(report: IngestReport) -> IngestReport:
        for source, reason in report.failed:
            LOG.warning("failed: %s: %s", source, reason)
        for source, note in report.notes:
            LOG.info("%s: %s", source, note)
        LOG.info("%s", report.summary())
        return report

    def stream(self, question: str, history: list[Message] | None = None,
               search_filter: SearchFilter = NO_FILTER) -> Iterator[AnswerDelta | Answer]:
        question = clean_question(question, self.settings.max_question_chars)
        history = validate_history(history)
        self.ensure_index()
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
