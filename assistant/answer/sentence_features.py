"""What the answer selector sees: every sentence of the retrieved passages, described by features.

Each candidate sentence is described in the context of its passage and heading:
embedding similarity to the question (sentence, ±1 window, passage), retrieval
rank and scores, IDF-weighted overlap of the question's terms, the kind of answer
asked for and the named entities of that kind the sentence holds, and today's hand
rules (expected-answer patterns, key-term coverage, focus) as features the model
weighs. The same code builds training rows and serves questions, so both see
exactly the same features.
"""

from __future__ import annotations

import re
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from langchain_core.documents import Document

from assistant.index.sentence_data import ENTITIES, VECTORS, unpack_vectors
from assistant.text.entities import QUESTION_TYPES, entities, question_type, remember, typed_entities_not_in_question, unpack
from assistant.answer.questions import analyse, holds_expected
from assistant.index.embeddings import MiniLMEmbeddings
from assistant.index.lexical import lexical_tokens
from assistant.text.acronyms import find_acronyms, with_equivalents
from assistant.text.sentences import split_sentences
from assistant.text.terms import terms

_NEGATION = re.compile(r"\b(?:not|never|no|n't|without|none|nor|cannot)\b", re.I)
_NAMED = re.compile(r"(?<!^)\b(?:[A-Z][a-z]+|[A-Z]{2,}|\d[\d,.]*)\b")

SENTENCE_FEATURES = (
    "cos_sentence", "cos_sentence_gap_best", "cos_sentence_rank", "cos_window", "cos_passage",
    "fused", "retrieval_rank", "bm25_passage", "bm25_passage_share",
    "idf_overlap_sentence", "idf_overlap_window", "idf_overlap_passage", "idf_overlap_heading",
    "idf_overlap_gap_best", "bigram_overlap",
    "max_idf_missing_sentence", "max_idf_missing_passage", "missing_terms_passage", "named_missing_passage",
    "novel_share", "position", "position_share", "sentences_in_passage", "sentence_words",
    "question_type", "typed_entities", "sentence_entities", "holds_expected", "question_negated", "sentence_negated",
    "question_words", "key_coverage", "focus_in_context", "has_typed_entity", "cos_sentence_share",
)
DECISION_FEATURES = ("score_best", "score_second", "score_margin", "score_softmax", "candidates") + SENTENCE_FEATURES

IdfLookup = Callable[[set[str]], dict[str, float]]


@dataclass
class Candidates:
    """The candidate sentences of one question, in passage order, with one feature row each."""

    sentences: list[str]
    passages: list[Document]
    """The passage each sentence comes from."""
    features: np.ndarray


class SentenceVectors:
    """Sentences and sentence vectors of passages: read from the passage's metadata (stored at ingest), or
    else embedded once and cached by chunk id (ids are content hashes, so the sentences never change)."""

    def __init__(self, embeddings: MiniLMEmbeddings, size: int = 20_000):
        self.embeddings = embeddings
        self.size = size
        self._cache: OrderedDict[str, tuple[list[str], np.ndarray]] = OrderedDict()
        self._lock = threading.Lock()

    def of(self, passages: list[Document]) -> list[tuple[list[str], np.ndarray]]:
        with self._lock:
            known = {p.metadata["chunk_id"]: self._cache.get(p.metadata["chunk_id"]) for p in passages}
        fresh = {}
        for passage in passages:
            if known[passage.metadata["chunk_id"]] is None:
                known[passage.metadata["chunk_id"]] = fresh[passage.metadata["chunk_id"]] = stored_sentences(passage)
        missing = [p for p in passages if known[p.metadata["chunk_id"]] is None]
        if missing:
            split = [split_sentences(p.page_content) for p in missing]
            flat = [s for sentences in split for s in sentences]
            vectors = np.asarray(self.embeddings.embed_documents(flat), dtype=np.float32) if flat else np.zeros((0, 1))
            start = 0
            for passage, sentences in zip(missing, split):
                known[passage.metadata["chunk_id"]] = fresh[passage.metadata["chunk_id"]] = (
                    sentences, vectors[start:start + len(sentences)])
                start += len(sentences)
        if fresh:  # decoded from the index or embedded now: either way, once per passage
            with self._lock:
                self._cache.update(fresh)
                while len(self._cache) > self.size:
                    self._cache.popitem(last=False)
        return [known[p.metadata["chunk_id"]] for p in passages]


def stored_sentences(passage: Document) -> tuple[list[str], np.ndarray] | None:
    """The sentences and vectors stored with the passage at ingest (their entities primed), if any."""
    packed = passage.metadata.get(VECTORS)
    if not packed:
        return None
    sentences = split_sentences(passage.page_content)
    vectors = unpack_vectors(packed, len(sentences))
    if vectors is None:
        return None
    if passage.metadata.get(ENTITIES):
        remember(sentences, unpack(passage.metadata[ENTITIES]))
    return sentences, vectors


def _share(question_terms: list[str], found: set[str], idf: dict[str, float]) -> tuple[float, float, int]:
    """IDF-weighted share of the question's terms found, the highest IDF missing, and how many are missing."""
    total = sum(idf[t] for t in question_terms) or 1.0
    missing = [idf[t] for t in question_terms if t not in found]
    return 1.0 - sum(missing) / total, max(missing, default=0.0), len(missing)


def _bigrams(words: list[str]) -> set[tuple[str, str]]:
    return set(zip(words, words[1:]))


def _heading(passage: Document) -> str:
    return f"{passage.metadata.get('title', '')} {passage.metadata.get('section', '')}"


def candidates(question: str, question_vector: np.ndarray, passages: list[Document], vectors: SentenceVectors,
               idf_lookup: IdfLookup) -> Candidates:
    """Every sentence of `passages` (retrieved for `question`, best first), with its features."""
    split = vectors.of(passages)
    flat = [s for sentences, _ in split for s in sentences]
    if not flat:
        return Candidates([], [], np.zeros((0, len(SENTENCE_FEATURES)), dtype=np.float32))
    question_words = lexical_tokens(question)
    question_terms = list(dict.fromkeys(question_words))
    sentence_terms = [set(lexical_tokens(s)) for s in flat]
    passage_terms = [set(lexical_tokens(f"{_heading(p)} {p.page_content}")) for p in passages]
    heading_terms = [set(lexical_tokens(_heading(p))) for p in passages]
    idf = idf_lookup(set(question_terms))
    question_bigrams = _bigrams(question_words)
    kind = question_type(question)
    profile = analyse(question)
    key = profile.key_terms
    acronyms = find_acronyms(" ".join(f"{_heading(p)} {p.page_content}" for p in passages))
    named = [w.lower() for w in _NAMED.findall(question)]
    question_negated = float(bool(_NEGATION.search(question)))
    best_bm25 = max((float(p.metadata.get("lexical", 0.0)) for p in passages), default=0.0) or 1.0
    found_entities = entities(flat)
    qv = np.asarray(question_vector, dtype=np.float32)
    rows, sentences, sources = [], [], []
    flat_index = 0
    for rank, (passage, (passage_sentences, sentence_vectors)) in enumerate(zip(passages, split), start=1):
        meta = passage.metadata
        lowered_passage = passage.page_content.lower() + " " + _heading(passage).lower()
        passage_share, passage_missing_idf, passage_missing = _share(question_terms, passage_terms[rank - 1], idf)
        heading_share, _, _ = _share(question_terms, heading_terms[rank - 1], idf)
        named_missing = sum(1 for w in named if w not in lowered_passage) / max(len(named), 1)
        context_terms = with_equivalents(terms(_heading(passage)), acronyms)
        cosines = sentence_vectors @ qv if len(passage_sentences) else np.zeros(0)
        first = flat_index
        for position, sentence in enumerate(passage_sentences):
            own = sentence_terms[flat_index]
            window = own.union(*sentence_terms[max(first, flat_index - 1):flat_index + 2])
            share, missing_idf, _ = _share(question_terms, own, idf)
            window_share, _, _ = _share(question_terms, window, idf)
            in_sentence = with_equivalents(terms(sentence), acronyms)
            coverage = (len(key & in_sentence) + len(key & (in_sentence | context_terms))) / (2 * len(key)) if key else 1.0
            focus = 1.0 if not profile.focus else float(profile.focus in (in_sentence | context_terms))
            rows.append([
                cosines[position], 0.0, 0.0, float(cosines[max(0, position - 1):position + 2].mean()),
                float(meta.get("dense", 0.0)), float(meta.get("score", 0.0)), rank,
                float(meta.get("lexical", 0.0)), float(meta.get("lexical", 0.0)) / best_bm25,
                share, window_share, passage_share, heading_share, 0.0,
                len(question_bigrams & _bigrams(lexical_tokens(sentence))) / max(len(question_bigrams), 1),
                missing_idf, passage_missing_idf, passage_missing, named_missing,
                len(own - set(question_terms)) / max(len(own), 1), position, position / len(passage_sentences),
                len(passage_sentences), len(sentence.split()),
                QUESTION_TYPES.index(kind),
                typed_entities_not_in_question(kind, found_entities[flat_index], question),
                len(found_entities[flat_index]), float(holds_expected(profile.expects, sentence)),
                question_negated, float(bool(_NEGATION.search(sentence))), len(question.split()),
                coverage, focus, 0.0, 0.0,
            ])
            sentences.append(sentence)
            sources.append(passage)
            flat_index += 1
    features = np.asarray(rows, dtype=np.float32)
    column = SENTENCE_FEATURES.index
    cos = features[:, column("cos_sentence")]
    features[:, column("cos_sentence_gap_best")] = cos.max() - cos
    features[:, column("cos_sentence_rank")] = np.argsort(np.argsort(-cos, kind="stable"), kind="stable")
    features[:, column("cos_sentence_share")] = cos / max(float(cos.max()), 1e-6)
    features[:, column("has_typed_entity")] = features[:, column("typed_entities")] > 0
    overlap = features[:, column("idf_overlap_sentence")]
    features[:, column("idf_overlap_gap_best")] = overlap.max() - overlap
    return Candidates(sentences, sources, features)


def decision_features(scores: np.ndarray, candidate_features: np.ndarray) -> np.ndarray:
    """Features of the best-scored candidate and of the score distribution, for answer-or-refuse."""
    order = np.argsort(-scores, kind="stable")
    best = scores[order[0]]
    second = scores[order[1]] if len(order) > 1 else 0.0
    softmax = 1.0 / np.exp(scores - best).sum()
    head = [best, second, best - second, softmax, len(scores)]
    return np.concatenate([head, candidate_features[order[0]]]).astype(np.float32)
