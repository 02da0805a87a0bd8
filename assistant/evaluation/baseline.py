"""The earlier heuristic answerer, kept only as a baseline for the evals (the product answers with the learned
answerer, `assistant.answer.learned`).

It ranks the sentences of the retrieved passages by a hand-weighted score (embedding similarity and
key-term coverage, for sentences that hold the kind of answer asked for) and quotes the best, or refuses
when no sentence clears a hand-set threshold.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
from langchain_core.documents import Document

from assistant.answer.citing import quote, refusal
from assistant.answer.composer import in_reading_order, redundant
from assistant.answer.sentence_features import SentenceVectors
from assistant.answer.questions import QuestionProfile, analyse, split_compound
from assistant.answer.types import REFUSAL, Answer, AnswerDelta, Answerer
from assistant.config.parameters import parameters
from assistant.index.embeddings import MiniLMEmbeddings
from assistant.text.acronyms import find_acronyms, with_equivalents
from assistant.text.terms import terms

# A best sentence that says the sources lack the answer makes the answer a refusal (quoted, with its citation).
_P = parameters()["extractive"]
NOT_FOUND = re.compile(_P["not_found"], re.I)


@dataclass(frozen=True)
class Candidate:
    sentence: str
    passage: Document
    similarity: float
    coverage: float
    score: float


class ExtractiveAnswerer(Answerer):
    """Answer by quoting the best-supported sentences of the retrieved passages.

    `threshold` is the lowest combined score that counts as an answer;
    `min_coverage` the share of the question's key terms the sentence (with its
    heading) must contain; `margin` how close to the best a further sentence must
    score to be added.
    """

    name = "heuristic"

    def __init__(self, embeddings: MiniLMEmbeddings, threshold: float = 0.5, min_coverage: float = _P["min_coverage"],
                 margin: float = _P["margin"], max_sentences: int = _P["max_sentences"],
                 similarity_weight: float = _P["similarity_weight"]):
        self.embeddings = embeddings
        self.threshold = threshold
        self.min_coverage = min_coverage
        self.margin = margin
        self.max_sentences = max_sentences
        self.similarity_weight = similarity_weight
        self.vectors = SentenceVectors(embeddings)

    def candidates(self, profile: QuestionProfile, passages: list[Document]) -> list[Candidate]:
        """Every sentence of `passages` that holds the expected kind of answer, best first."""
        triples = [
            (sentence, passage, vector)
            for passage, (sentences, vectors) in zip(passages, self.vectors.of(passages))
            for sentence, vector in zip(sentences, vectors)
            if profile.admits(sentence)
        ]
        if not triples:
            return []
        pairs = [(sentence, passage) for sentence, passage, _ in triples]
        question_vector = np.asarray(self.embeddings.embed_query(profile.question), dtype=np.float32)
        similarities = np.asarray([vector for *_, vector in triples]) @ question_vector
        key = profile.key_terms
        acronyms = find_acronyms(" ".join(f"{p.metadata.get('title', '')} {p.page_content}" for p in passages))
        ranked = []
        for (sentence, passage), similarity in zip(pairs, similarities):
            context = f"{passage.metadata.get('title', '')} {passage.metadata.get('section', '')}"
            in_sentence = with_equivalents(terms(sentence), acronyms)
            in_context = in_sentence | with_equivalents(terms(context), acronyms)
            coverage = (len(key & in_sentence) + len(key & in_context)) / (2 * len(key)) if key else 1.0
            if profile.focus and profile.focus not in in_context:
                continue  # the sentence is not about the thing asked for
            score = self.similarity_weight * float(similarity) + (1 - self.similarity_weight) * coverage
            ranked.append(Candidate(sentence, passage, float(similarity), coverage, score))
        return sorted(ranked, key=lambda c: c.score, reverse=True)

    def select(self, profile: QuestionProfile, ranked: list[Candidate]) -> list[Candidate]:
        """The best candidate and any close runners-up, or nothing when none is good enough."""
        if not ranked or ranked[0].score < self.threshold or ranked[0].coverage < self.min_coverage:
            return []
        best = ranked[0]
        limit = self.max_sentences + (1 if profile.wants_list else 0)
        chosen = [best]
        for candidate in ranked[1:]:
            if len(chosen) >= limit:
                break
            if candidate.score < best.score - self.margin or candidate.coverage < self.min_coverage:
                continue
            if any(redundant(candidate, other) for other in chosen):
                continue
            chosen.append(candidate)
        return in_reading_order(chosen)

    def choose(self, question: str, passages: list[Document]) -> tuple[list[Candidate], float | None, Candidate | None]:
        """The sentences that answer `question` (a compound question gets the best for each part), the score
        of the best candidate of the first part that has one, chosen or not (None: no candidate), and that
        candidate when it holds at least `min_coverage` of the question's key terms (the closest passage)."""
        parts = split_compound(question)
        if len(parts) == 1:
            parts = [question]
        chosen: list[Candidate] = []
        support, closest = None, None
        for part in parts:
            profile = analyse(part)
            ranked = self.candidates(profile, passages)
            if support is None and ranked:
                support = ranked[0].score
                closest = ranked[0] if ranked[0].coverage >= self.min_coverage else None
            selected = self.select(profile, ranked)
            for candidate in selected if len(parts) == 1 else selected[:2]:
                if not any(redundant(candidate, other) for other in chosen):
                    chosen.append(candidate)
        return chosen, support, closest

    def compose(self, question: str, passages: list[Document]) -> Answer:
        chosen, support, closest = self.choose(question, passages)
        if not chosen:
            return refusal(question, passages, "not stated" if closest else "not found", closest)
        text, citations = quote(chosen, passages)
        refused = bool(NOT_FOUND.search(chosen[0].sentence))
        if refused:
            text = f"{REFUSAL} {text}"
        return Answer(question, text, refused=refused, citations=citations, passages=passages, support=support)

    def stream(self, question: str, passages: list[Document]) -> Iterator[AnswerDelta | Answer]:
        yield self.compose(question, passages)
