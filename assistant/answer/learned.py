"""The embedded answerer: a learned selector quotes the sentence that answers, or refuses and says why.

Every sentence of the retrieved passages is scored by the trained selector
(`assistant.answer.selector`); when its calibrated confidence reaches the operating
threshold the best sentence is quoted with its `[n]` citation, with any other sentence
the selector judges to hold the answer too (up to `max_sentences`). Otherwise the answer
is a refusal that says whether nothing relevant was found, or names the closest passage
so that the official can read it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
from langchain_core.documents import Document

from assistant.answer.citing import quote, refusal
from assistant.answer.extractive import NOT_FOUND, in_reading_order, low_confidence_bar, redundant
from assistant.answer.questions import analyse, split_compound
from assistant.answer.selector import AnswerSelector, default_selector
from assistant.answer.sentence_features import SENTENCE_FEATURES, Candidates, IdfLookup, SentenceVectors, candidates
from assistant.answer.types import REFUSAL, Answer, AnswerDelta, Answerer
from assistant.config.parameters import parameters
from assistant.index.embeddings import MiniLMEmbeddings

_P = parameters()["answering"]


@dataclass(frozen=True)
class Quote:
    sentence: str
    passage: Document
    score: float


@dataclass(frozen=True)
class PartResult:
    """What the selector made of one part of a question."""

    quotes: list[Quote]
    confidence: float | None
    closest: Quote | None
    relevant: bool


class LearnedAnswerer(Answerer):
    """Answer by quoting the sentences the trained selector chooses; refuse when its confidence is too low."""

    name = "learned"
    low_confidence_below = property(lambda self: low_confidence_bar())

    def __init__(self, embeddings: MiniLMEmbeddings, idf_lookup: IdfLookup,
                 selector: AnswerSelector | None = None, threshold: float | None = None):
        self.embeddings = embeddings
        self.idf_lookup = idf_lookup
        self._selector = selector
        self._threshold = threshold
        self.vectors = SentenceVectors(embeddings)

    @property
    def selector(self) -> AnswerSelector:
        """The trained models, loaded on first use (training builds answerers before any model exists)."""
        if self._selector is None:
            self._selector = default_selector()
        return self._selector

    @property
    def threshold(self) -> float:
        return self.selector.threshold if self._threshold is None else self._threshold

    def score(self, question: str, passages: list[Document]) -> tuple[Candidates, np.ndarray, float]:
        """The candidates of `passages`, each one's stage-1 score, and the calibrated confidence of the best."""
        vector = np.asarray(self.embeddings.embed_query(question), dtype=np.float32)
        found = candidates(question, vector, passages, self.vectors, self.idf_lookup)
        if not found.sentences:
            return found, np.zeros(0), 0.0
        scores = self.selector.sentence_scores(found.features)
        return found, scores, self.selector.calibrated(self.selector.raw_decision(scores, found.features))

    def _part(self, question: str, passages: list[Document], wants_list: bool) -> PartResult:
        found, scores, confidence = self.score(question, passages)
        if not found.sentences:
            return PartResult([], None, None, False)
        order = np.argsort(-scores, kind="stable")
        best = int(order[0])
        closest = Quote(found.sentences[best], found.passages[best], float(scores[best]))
        overlap = found.features[best, SENTENCE_FEATURES.index("idf_overlap_passage")]
        relevant = bool(overlap >= _P["relevant_min_overlap"])
        if confidence < self.threshold:
            return PartResult([], confidence, closest, relevant)
        limit = _P["max_sentences"] + (1 if wants_list else 0)
        quotes = [closest]
        for i in order[1:]:
            if len(quotes) >= limit or scores[i] < _P["extra_min_score"]:
                break
            runner_up = Quote(found.sentences[i], found.passages[i], float(scores[i]))
            if not any(redundant(runner_up, other) for other in quotes):
                quotes.append(runner_up)
        return PartResult(in_reading_order(quotes), confidence, closest, relevant)

    def compose(self, question: str, passages: list[Document]) -> Answer:
        parts = split_compound(question)
        if len(parts) <= 1:
            parts = [question]
        results = [self._part(part, passages, analyse(part).wants_list) for part in parts]
        quotes: list[Quote] = []
        for result in results:
            for item in result.quotes if len(parts) == 1 else result.quotes[:2]:
                if not any(redundant(item, other) for other in quotes):
                    quotes.append(item)
        first = next((r for r in results if r.confidence is not None), None)
        confidence = first.confidence if first else None
        if not quotes:
            relevant = first is not None and first.relevant
            return refusal(question, passages, first.closest if relevant else None, confidence,
                           first.closest.score if relevant else None)
        text, citations = quote(quotes, passages)
        refused = bool(NOT_FOUND.search(quotes[0].sentence))  # the documents themselves record the gap
        if refused:
            text = f"{REFUSAL} {text}"
        return Answer(question, text, refused=refused, citations=citations, passages=passages,
                      support=quotes[0].score, confidence=confidence)

    def stream(self, question: str, passages: list[Document]) -> Iterator[AnswerDelta | Answer]:
        answer = self.compose(question, passages)
        for piece in re.findall(r"\S+\s*", answer.text):
            yield AnswerDelta(piece)
        yield answer
