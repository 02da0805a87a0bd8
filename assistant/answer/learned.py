"""The embedded answerer: a learned selector quotes the sentences that answer, or refuses and says why.

Every sentence of the retrieved passages is scored by the trained selector
(`assistant.answer.selector`); the composer builds the whole answer around the best one (its
list items, the other parts of a multi-part question, the section asked for). The answer is
given with its calibrated confidence unless there is a reason to refuse, and the refusal names
it: nothing relevant was found; the closest passage is about another year, country, Act or
body than the question names; or the closest passage does not state what is asked.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

import numpy as np
from langchain_core.documents import Document

from assistant.answer.citing import quote, refusal
from assistant.answer.composer import Quote, allowed, compose, quote_at
from assistant.answer.constraints import Mismatch
from assistant.answer.decision import NOT_FOUND, NOT_STATED, doubted, ruled_out
from assistant.answer.questions import analyse, asks_for, split_compound
from assistant.answer.selector import AnswerSelector, default_selector
from assistant.answer.sentence_features import Candidates, IdfLookup, SentenceVectors, candidates
from assistant.answer.types import Answer, AnswerDelta, Answerer
from assistant.config.parameters import parameters
from assistant.index.embeddings import MiniLMEmbeddings

_P = parameters()["answering"]

ANSWERED = "answered"


@dataclass
class Response:
    """What the answerer made of a question: the quotes it composed (whether or not it answers with them),
    its calibrated confidence, and its verdict with the reason."""

    quotes: list[Quote] = field(default_factory=list)
    confidence: float | None = None
    verdict: str = NOT_FOUND
    """ANSWERED, or the refusal's reason: NOT_FOUND, or `decision.ANOTHER` or `decision.NOT_STATED`."""
    closest: Quote | None = None
    mismatch: Mismatch | None = None

    @property
    def answered(self) -> bool:
        return self.verdict == ANSWERED


class LearnedAnswerer(Answerer):
    """Answer by quoting the sentences the trained selector chooses; refuse for a stated reason."""

    name = "learned"

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

    @property
    def low_confidence_below(self) -> float | None:
        return self.selector.low_confidence_below

    def candidates(self, question: str, passages: list[Document]) -> Candidates:
        vector = np.asarray(self.embeddings.embed_query(question), dtype=np.float32)
        return candidates(question, vector, passages, self.vectors, self.idf_lookup)

    def scored(self, question: str, passages: list[Document]) -> tuple[Candidates, np.ndarray, np.ndarray]:
        """The candidates, their stage-1 scores, and the scores of those an answer may quote (the others zero)."""
        found = self.candidates(question, passages)
        if not found.sentences:
            return found, np.zeros(0), np.zeros(0)
        raw = self.selector.sentence_scores(found.features)
        return found, raw, raw * allowed(found)

    def respond(self, question: str, passages: list[Document]) -> Response:
        """Compose the answer to `question` from `passages` and decide whether to give it, and why not."""
        found, raw, scores = self.scored(question, passages)
        if not found.sentences:
            return Response()
        # The closest passage a refusal names may hold a sentence about the sources ("no source found states ...").
        closest = quote_at(found, raw, int(np.argmax(raw)))
        if not scores.any():
            return Response([], None, NOT_STATED, closest)
        best = int(np.argmax(scores))
        confidence = self.selector.confidence(scores, found)
        indices = compose(found, scores, best, analyse(question).wants_list)
        indices += [i for i in self._other_parts(question, passages) if i not in indices]
        quotes = [quote_at(found, scores, i) for i in indices]
        rule = ruled_out(found, best, indices, float(scores[best]))
        if rule is not None:
            reason, mismatch = rule
            return Response(quotes, confidence, reason, quote_at(found, scores, best), mismatch)
        if confidence >= self.threshold:
            return Response(quotes, confidence, ANSWERED, quote_at(found, scores, best))
        return Response(quotes, confidence, doubted(found, best), closest)

    def _other_parts(self, question: str, passages: list[Document]) -> list[int]:
        """Nothing for a simple question; for "When was X launched, and who chairs Y?" the best sentence of
        each further part (indices into the whole question's candidates: the same passages, the same order)."""
        parts = split_compound(question)
        if len(parts) < 2:
            return []
        chosen = []
        for part in parts[1:]:
            _, _, scores = self.scored(part, passages)
            if scores.any() and scores.max() >= _P["extra_min_score"]:
                chosen.append(int(np.argmax(scores)))
        return chosen

    def compose(self, question: str, passages: list[Document]) -> Answer:
        response = self.respond(question, passages)
        if not response.answered:
            return refusal(question, passages, response.verdict, response.closest, response.mismatch,
                           response.confidence)
        text, citations = quote(response.quotes, passages, name_sections=asks_for(question) == "section")
        return Answer(question, text, refused=False, citations=citations, passages=passages,
                      support=response.closest.score, confidence=response.confidence)

    def stream(self, question: str, passages: list[Document]) -> Iterator[AnswerDelta | Answer]:
        """The answer, composed whole: no drafts (the chain sends its verified sentences one at a time)."""
        yield self.compose(question, passages)
