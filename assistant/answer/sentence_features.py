"""What the answer selector sees: every sentence of the retrieved passages, described by features.

Each candidate sentence is described in the context of its passage and headings: embedding
similarity to the question (sentence, ±1 window, passage), retrieval rank and scores,
IDF-weighted overlap of the question's terms with the sentence, its window, its passage, its
section heading and its document's title, the kind of answer asked for and whether the sentence
holds it, its shape (a list item, a lead-in ending in a colon, a table row, a sentence about
the sources), and the question's constraints that its passage breaks (another year, country,
Act or body). The hand rules of the earlier heuristic answerer (expected-answer patterns,
key-term coverage, focus) are features the model weighs. The same code builds training rows
and serves questions, so both see exactly the same features.
"""

from __future__ import annotations

import re
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from langchain_core.documents import Document

from assistant.answer.constraints import Constraints, constraints_of
from assistant.answer.questions import ASKS, analyse, asks_for, holds_expected
from assistant.index.embeddings import MiniLMEmbeddings
from assistant.index.lexical import lexical_tokens
from assistant.index.sentence_data import VECTORS, unpack_vectors
from assistant.text.acronyms import find_acronyms, with_equivalents
from assistant.text.sentences import split_sentences
from assistant.text.terms import terms

_NEGATION = re.compile(r"\b(?:not|never|no|n't|without|none|nor|cannot)\b", re.I)
_NAMED = re.compile(r"(?<!^)\b(?:[A-Z][a-z]+|[A-Z]{2,}|\d[\d,.]*)\b")
_NUMBER = re.compile(r"\d")
_CAPITAL = re.compile(r"(?<!^)\b[A-Z][\w'-]+")
_UNIT = re.compile(r"\b(?:section|article|chapter|part|schedule|clause|regulation|rule|paragraph)s?\s+[\dIVXLC]+", re.I)
_NUMBERED_HEADING = re.compile(r"^\s*(?:\d+[A-Z]?\.|[IVXLC]+\.|(?:section|article|chapter|part|schedule)\b)", re.I)
_DEFINES = re.compile(r"\b(?:means|mean|includes|include|refers? to|is defined|shall be construed|definition)\b", re.I)
_ITEM = re.compile(r"^\s*(?:\(?[a-z]{1,3}\)|\(?\d{1,2}\)|\(?[ivx]{1,5}\)|[-*•]|\d{1,2}\.)\s|;\s*(?:and|or)?\s*$")
"""A list item: it opens with its marker ("(a)", "(ii)", "3.") or ends as an item of a list does ("...;", "...; and")."""
_LEAD_IN = re.compile(r"(?:[:—–-]|\bto|\bthat|\bwhere|\bif|\bunless|\bincluding|\bfollowing)\s*$", re.I)
_TABLE_ROW = re.compile(r"^[^;]{1,80}:\s[^;]+(?:;\s[^;]+){2,}$")
_SOURCES = re.compile(r"\bno source\b|\bnot (?:been )?found in any source|\bsources? (?:disagree|conflict|differ)|"
                      r"\bnot (?:been )?(?:found|stated|confirmed|recorded)\b|\bunconfirmed\b|\ban inference\b", re.I)
"""A sentence about the sources themselves (what they lack or dispute), not one that merely names its source."""
_NUMBER_WORDS = (r"(?:\d[\d,.]*|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fourteen|fifteen|"
                 r"twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety|hundred|thousand|lakh|crore|million|billion)")
# What a number question wants, by the words that ask it, and what a sentence holding it looks like.
SUBTYPES = ("duration", "frequency", "money", "percent", "count", "date", "none")
_SUBTYPE_ASKED = (
    ("frequency", re.compile(r"\bhow often\b|\bhow frequently\b|\bhow many times\b|\bat what interval", re.I)),
    ("duration", re.compile(r"\bhow long\b|\bperiod\b|\bwithin how\b|\bhow (?:many|much) (?:days|weeks|months|years|hours)\b|"
                            r"\bterm\b|\bhow soon\b|\bhow quickly\b|\bdeadline\b|\btime limit\b|\bduration\b", re.I)),
    ("money", re.compile(r"\bfine\b|\bfines\b|\bpenalt|\bfee\b|\bfees\b|\bcost\b|\bhow much\b|\bamount\b|\bbudget\b|"
                         r"\brupees\b|\bsalary\b|\bcompensation\b|\bpunish", re.I)),
    ("percent", re.compile(r"\bpercent|\bper cent\b|\bshare\b|\bproportion\b|\brate\b|%", re.I)),
    ("count", re.compile(r"\bhow many\b|\bnumber of\b|\btotal\b|\bfigure\b", re.I)),
    ("date", re.compile(r"^\s*when\b|\bwhat (?:year|date|day|month)\b|\bin which year\b|\bsince when\b", re.I)),
)
_SUBTYPE_HELD = {
    "frequency": re.compile(r"\b(?:daily|weekly|fortnightly|monthly|quarterly|annually|yearly|biannually|every|each (?:year|month|"
                            r"week|day)|once|twice|times (?:a|per|in)|per (?:year|annum|month|week))\b", re.I),
    "duration": re.compile(rf"\b{_NUMBER_WORDS}[\s-]+(?:\w+\s+)?(?:days?|weeks?|months?|years?|hours?)\b|\bfortnight", re.I),
    "money": re.compile(r"\brupees?\b|\bRs\.?\s*\d|\bshillings?\b|\bcrore\b|\blakh\b|[$€£]\s*\d|\beuros?\b|\bdollars?\b|"
                        r"\bUSD\b|\bKES\b|\bfine\b|\bimprisonment\b", re.I),
    "percent": re.compile(r"\d\s*%|\bper ?cent\b", re.I),
    "count": re.compile(rf"\b{_NUMBER_WORDS}\b", re.I),
    "date": re.compile(r"\b(?:1[89]\d\d|20\d\d)\b|\b(?:January|February|March|April|May|June|July|August|September|October|"
                       r"November|December)\b"),
}
_DEFERS = re.compile(r"\bprescribed\b|\bmay be (?:specified|determined|notified|made)\b|\bby (?:regulations?|rules|notification)\b|"
                     r"\bregulations? (?:may|shall) provide\b|\bAct of Parliament\b|\bnational legislation\b", re.I)
_ASKS_SOURCES = re.compile(r"\b(?:sources?|fact sheet|confirm(?:ed|s)?|press release|who (?:reported|wrote|published)|"
                           r"published by|cited by|according to which|in dispute|disputed|settled)\b", re.I)

SENTENCE_FEATURES = (
    "cos_sentence", "cos_sentence_gap_best", "cos_sentence_rank", "cos_sentence_share", "cos_window", "cos_passage",
    "fused", "retrieval_rank", "bm25_passage", "bm25_passage_share",
    "idf_overlap_sentence", "idf_overlap_window", "idf_overlap_passage", "idf_overlap_heading", "idf_overlap_title",
    "idf_overlap_gap_best", "bigram_overlap", "max_idf_missing_sentence", "max_idf_missing_passage",
    "missing_terms_passage", "named_missing_passage", "novel_share", "key_coverage", "focus_in_context",
    "position", "position_share", "sentences_in_passage", "sentence_words",
    "asks", "question_negated", "sentence_negated", "holds_expected", "typed_tokens",
    "has_number", "subtype", "holds_subtype", "names_unit", "heading_numbered", "defines", "is_item", "lead_in", "next_is_item", "table_row",
    "defers", "about_sources", "question_about_sources",
    "year_missing", "year_other", "country_missing", "country_other", "instrument_missing", "instrument_other",
    "name_missing",
)
_ABSOLUTE_COSINES = ("cos_sentence", "cos_window", "cos_passage")
"""Left out of the decision: a short question has a low cosine to the very sentence that answers it, so the
absolute cosine would teach stage 2 to refuse short questions (their relative cosines stay)."""
_DECIDING = [i for i, name in enumerate(SENTENCE_FEATURES) if name not in _ABSOLUTE_COSINES]
DECISION_FEATURES = ("score_best", "score_second", "score_margin", "score_softmax", "candidates",
                     "passage_best_share", "same_passage_top3") + tuple(SENTENCE_FEATURES[i] for i in _DECIDING)

IdfLookup = Callable[[set[str]], dict[str, float]]


@dataclass
class Candidates:
    """The candidate sentences of one question, in passage order, with one feature row each."""

    sentences: list[str]
    passages: list[Document]
    """The passage each sentence comes from."""
    positions: list[int]
    """Each sentence's place in its passage's sentences."""
    features: np.ndarray
    constraints: Constraints

    def column(self, name: str) -> np.ndarray:
        return self.features[:, SENTENCE_FEATURES.index(name)]


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
    """The sentences and vectors stored with the passage at ingest, if any."""
    packed = passage.metadata.get(VECTORS)
    if not packed:
        return None
    sentences = split_sentences(passage.page_content)
    vectors = unpack_vectors(packed, len(sentences))
    return None if vectors is None else (sentences, vectors)


def heading_of(passage: Document) -> str:
    """The passage's document title and section heading."""
    return f"{passage.metadata.get('title', '')} {passage.metadata.get('section', '')}"


def _share(question_terms: list[str], found: set[str], idf: dict[str, float]) -> tuple[float, float, int]:
    """IDF-weighted share of the question's terms found, the highest IDF missing, and how many are missing."""
    total = sum(idf[t] for t in question_terms) or 1.0
    missing = [idf[t] for t in question_terms if t not in found]
    return 1.0 - sum(missing) / total, max(missing, default=0.0), len(missing)


def _bigrams(words: list[str]) -> set[tuple[str, str]]:
    return set(zip(words, words[1:]))


def _typed_tokens(asks: str, sentence: str, question: str) -> int:
    """Tokens of the kind asked for (figures for how many / when, capitalised names for who / where) that the
    question does not already hold."""
    if asks in ("number", "date"):
        found = re.findall(r"\d[\d,.]*", sentence)
    elif asks in ("who", "place", "law"):
        found = _CAPITAL.findall(sentence)
    else:
        return 0
    lowered = question.lower()
    return sum(1 for token in found if token.lower() not in lowered)


def _holds(asks: str, expects: str | None, sentence: str, heading: str) -> bool:
    if asks == "section":
        return bool(_UNIT.search(sentence) or _NUMBERED_HEADING.search(heading.split(" ", 1)[-1]) or
                    _NUMBERED_HEADING.search(sentence))
    if asks == "definition":
        return bool(_DEFINES.search(sentence))
    return holds_expected(expects, sentence)


def _constraint_row(constraints: Constraints, passage: Document) -> list[float]:
    """How the passage breaks the question's constraints: for years, countries and instruments, whether one
    asked for is missing and whether the passage names another instead; acronyms missing."""
    if constraints.empty:
        return [0.0] * 7
    mismatches = constraints.check(passage.page_content, heading_of(passage))
    row = []
    for kind in ("year", "country", "instrument"):
        of_kind = [m for m in mismatches if m.kind == kind]
        row += [float(len(of_kind)), float(any(m.found for m in of_kind))]
    row.append(float(sum(1 for m in mismatches if m.kind == "name")))
    return row


def candidates(question: str, question_vector: np.ndarray, passages: list[Document], vectors: SentenceVectors,
               idf_lookup: IdfLookup) -> Candidates:
    """Every sentence of `passages` (retrieved for `question`, best first), with its features."""
    split = vectors.of(passages)
    flat = [s for sentences, _ in split for s in sentences]
    constraints = constraints_of(question)
    if not flat:
        return Candidates([], [], [], np.zeros((0, len(SENTENCE_FEATURES)), dtype=np.float32), constraints)
    question_words = lexical_tokens(question)
    question_terms = list(dict.fromkeys(question_words))
    sentence_words = [lexical_tokens(s) for s in flat]
    sentence_terms = [set(words) for words in sentence_words]
    idf = idf_lookup(set(question_terms))
    question_bigrams = _bigrams(question_words)
    asks = asks_for(question)
    subtype = next((kind for kind, pattern in _SUBTYPE_ASKED if pattern.search(question)), "none")
    held = _SUBTYPE_HELD.get(subtype)
    profile = analyse(question)
    key = profile.key_terms
    acronyms = find_acronyms(" ".join(f"{heading_of(p)} {p.page_content}" for p in passages))
    named = [w.lower() for w in _NAMED.findall(question)]
    question_negated = float(bool(_NEGATION.search(question)))
    asks_sources = float(bool(_ASKS_SOURCES.search(question)))
    best_bm25 = max((float(p.metadata.get("lexical", 0.0)) for p in passages), default=0.0) or 1.0
    qv = np.asarray(question_vector, dtype=np.float32)
    rows, sentences, sources, positions = [], [], [], []
    flat_index = 0
    for rank, (passage, (passage_sentences, sentence_vectors)) in enumerate(zip(passages, split), start=1):
        meta = passage.metadata
        heading = heading_of(passage)
        passage_terms = set(lexical_tokens(f"{heading} {passage.page_content}"))
        lowered_passage = f"{passage.page_content} {heading}".lower()
        passage_share, passage_missing_idf, passage_missing = _share(question_terms, passage_terms, idf)
        heading_share, _, _ = _share(question_terms, set(lexical_tokens(heading)), idf)
        title_share, _, _ = _share(question_terms, set(lexical_tokens(meta.get("title", ""))), idf)
        named_missing = sum(1 for w in named if w not in lowered_passage) / max(len(named), 1)
        context_terms = with_equivalents(terms(heading), acronyms)
        constraint_row = _constraint_row(constraints, passage)
        numbered_heading = float(bool(_NUMBERED_HEADING.search(str(meta.get("section", "")))))
        cosines = sentence_vectors @ qv if len(passage_sentences) else np.zeros(0)
        first = flat_index
        count = len(passage_sentences)
        for position, sentence in enumerate(passage_sentences):
            own = sentence_terms[flat_index]
            window = own.union(*sentence_terms[max(first, flat_index - 1):flat_index + 2])
            share, missing_idf, _ = _share(question_terms, own, idf)
            window_share, _, _ = _share(question_terms, window, idf)
            in_sentence = with_equivalents(terms(sentence), acronyms)
            coverage = (len(key & in_sentence) + len(key & (in_sentence | context_terms))) / (2 * len(key)) if key else 1.0
            focus = 1.0 if not profile.focus else float(profile.focus in (in_sentence | context_terms))
            following = passage_sentences[position + 1] if position + 1 < count else ""
            rows.append([
                cosines[position], 0.0, 0.0, 0.0, float(cosines[max(0, position - 1):position + 2].mean()),
                float(meta.get("dense", 0.0)), float(meta.get("score", 0.0)), rank,
                float(meta.get("lexical", 0.0)), float(meta.get("lexical", 0.0)) / best_bm25,
                share, window_share, passage_share, heading_share, title_share, 0.0,
                len(question_bigrams & _bigrams(sentence_words[flat_index])) / max(len(question_bigrams), 1),
                missing_idf, passage_missing_idf, passage_missing, named_missing,
                len(own - set(question_terms)) / max(len(own), 1), coverage, focus,
                position, position / count, count, len(sentence.split()),
                ASKS.index(asks), question_negated, float(bool(_NEGATION.search(sentence))),
                float(_holds(asks, profile.expects, sentence, heading)), _typed_tokens(asks, sentence, question),
                float(bool(_NUMBER.search(sentence))), SUBTYPES.index(subtype),
                float(held is not None and bool(held.search(sentence))), float(bool(_UNIT.search(sentence))), numbered_heading,
                float(bool(_DEFINES.search(sentence))), float(bool(_ITEM.search(sentence))),
                float(bool(_LEAD_IN.search(sentence))), float(bool(following and _ITEM.search(following))),
                float(bool(_TABLE_ROW.match(sentence))), float(bool(_DEFERS.search(sentence))),
                float(bool(_SOURCES.search(sentence))), asks_sources,
                *constraint_row,
            ])
            sentences.append(sentence)
            sources.append(passage)
            positions.append(position)
            flat_index += 1
    features = np.asarray(rows, dtype=np.float32)
    column = SENTENCE_FEATURES.index
    cos = features[:, column("cos_sentence")]
    features[:, column("cos_sentence_gap_best")] = cos.max() - cos
    features[:, column("cos_sentence_rank")] = np.argsort(np.argsort(-cos, kind="stable"), kind="stable")
    features[:, column("cos_sentence_share")] = cos / max(float(cos.max()), 1e-6)
    overlap = features[:, column("idf_overlap_sentence")]
    features[:, column("idf_overlap_gap_best")] = overlap.max() - overlap
    return Candidates(sentences, sources, positions, features, constraints)


def decision_features(scores: np.ndarray, found: Candidates) -> np.ndarray:
    """Features of the best-scored candidate and of the score distribution, for answer-or-refuse."""
    order = np.argsort(-scores, kind="stable")
    best = scores[order[0]]
    second = scores[order[1]] if len(order) > 1 else 0.0
    softmax = 1.0 / np.exp(scores - best).sum()
    best_passage = found.passages[order[0]].metadata["chunk_id"]
    in_best = [i for i, p in enumerate(found.passages) if p.metadata["chunk_id"] == best_passage]
    passage_share = float(scores[in_best].sum() / max(scores.sum(), 1e-9))
    same_top3 = float(sum(1 for i in order[:3] if found.passages[i].metadata["chunk_id"] == best_passage))
    head = [best, second, best - second, softmax, len(scores), passage_share, same_top3]
    return np.concatenate([head, found.features[order[0], _DECIDING]]).astype(np.float32)
