"""Score one answer against its gold item, and aggregate the scores into metrics."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import numpy as np

from assistant.answer.types import Answer
from assistant.answer.verification import cited_sentences, supports
from assistant.evaluation.datasets import EvalItem

_FOLD = str.maketrans({"’": "'", "‘": "'", "“": '"', "”": '"', "–": "-", "—": "-", "\u00a0": " "})


def normalise(text: str) -> str:
    return re.sub(r"\s+", " ", text.translate(_FOLD).lower()).strip()


def fact_present(fact: list[str], text: str) -> bool:
    folded = normalise(text)
    return any(normalise(phrasing) in folded for phrasing in fact)


@dataclass
class ItemScore:
    """What one answer earned; None where the item's fields do not allow the check."""

    refused: bool
    latency_ms: float
    hit: bool | None = None
    hit_at_5: bool | None = None
    reciprocal_rank: float | None = None
    correct: bool | None = None
    backed: bool | None = None
    unanswerable: bool | None = None
    citation_support: list[bool] = field(default_factory=list)
    sentence_verdicts: list[bool] = field(default_factory=list)
    """The answer's own verification of each sentence (False: flagged as unsupported)."""


def _citation_support(answer: Answer) -> list[bool]:
    passages = {p.metadata["chunk_id"]: p.page_content for p in answer.passages}
    by_number = {c.n: passages.get(c.chunk_id, "") for c in answer.citations}
    sentences = cited_sentences(answer.text)
    verdicts = []
    for citation in answer.citations:
        citing = [s for s in sentences if citation.n in s.numbers]
        verdicts.append(bool(citing) and all(
            supports(s.text, by_number[citation.n])
            or supports(s.text, " ".join(by_number.get(n, "") for n in s.numbers))
            for s in citing
        ))
    return verdicts


def _backed(fact: list[str], answer: Answer) -> bool:
    """Some sentence states the fact and cites a passage that holds it."""
    passages = {c.n: next((p.page_content for p in answer.passages if p.metadata["chunk_id"] == c.chunk_id), "")
                for c in answer.citations}
    for sentence in cited_sentences(answer.text):
        for phrasing in fact:
            if normalise(phrasing) in normalise(sentence.text) and any(
                normalise(phrasing) in normalise(passages.get(n, "")) for n in sentence.numbers
            ):
                return True
    return False


def score(item: EvalItem, answer: Answer, latency_ms: float) -> ItemScore:
    result = ItemScore(refused=answer.refused, latency_ms=latency_ms, citation_support=_citation_support(answer),
                       sentence_verdicts=[check.supported for check in answer.sentences])
    if item.answerable is not None:
        result.unanswerable = not item.answerable
    if item.answerable and item.sources:
        ranks = [i for i, p in enumerate(answer.passages, start=1) if p.metadata.get("source") in item.sources]
        result.hit = bool(ranks)
        result.hit_at_5 = bool(ranks) and ranks[0] <= 5
        result.reciprocal_rank = 1.0 / ranks[0] if ranks else 0.0
    if item.answerable and item.expected:
        present = [fact_present(fact, answer.text) for fact in item.expected]
        result.correct = not answer.refused and all(present)
        result.backed = not answer.refused and all(_backed(fact, answer) for fact in item.expected)
    return result


def _mean(values: list) -> float | None:
    values = [v for v in values if v is not None]
    return float(np.mean(values)) if values else None


def aggregate(scores: list[ItemScore]) -> dict[str, float | int | None]:
    """The metrics of one configuration over one data set (None where nothing could be measured)."""
    refused = [s for s in scores if s.refused and s.unanswerable is not None]
    unanswerable = [s for s in scores if s.unanswerable]
    support = [v for s in scores for v in s.citation_support]
    latencies = [s.latency_ms for s in scores]
    return {
        "items": len(scores),
        "hit_at_k": _mean([s.hit for s in scores]),
        "hit_at_5": _mean([s.hit_at_5 for s in scores]),
        "mrr": _mean([s.reciprocal_rank for s in scores]),
        "answer_accuracy": _mean([s.correct for s in scores]),
        "citation_precision": _mean(support),
        "citation_recall": _mean([s.backed for s in scores]),
        "refusal_precision": _mean([s.unanswerable for s in refused]) if refused else None,
        "refusal_recall": _mean([s.refused for s in unanswerable]) if unanswerable else None,
        "refusal_rate": _mean([s.refused for s in scores]),
        "flagged_sentence_rate": _mean([not v for s in scores for v in s.sentence_verdicts]),
        "latency_p50_ms": float(np.percentile(latencies, 50)) if latencies else None,
        "latency_p95_ms": float(np.percentile(latencies, 95)) if latencies else None,
    }
