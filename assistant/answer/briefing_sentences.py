"""Candidate bullets and when two of them say the same thing.

A `Sentence` is one sentence of a retrieved passage, with its embedding and its relevance to the topic.
`repeats` says whether a candidate says what a sentence already written says: the same text, an embedding
cosine at or above `duplicate_cosine`, or, unless it brings figures of its own, a cosine at or above
`similar_cosine` or mostly the same words beyond the topic's (`duplicate_overlap`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
from langchain_core.documents import Document

from assistant.answer.relevance import content_terms
from assistant.config.parameters import parameters

_P = parameters()["briefing"]
_NUMBER = re.compile(r"\d[\d.,]*\d|\d")
_SPECIFIC = re.compile(r"\d[\d.,]*\d|\d|(?<!^)\b[A-Z][\w'’-]*")


@dataclass
class Sentence:
    """A candidate bullet: one sentence of a retrieved passage, with what the writer knows of it."""

    text: str
    passage: Document
    vector: np.ndarray
    relevance: float = 0.0


def unit(vectors) -> np.ndarray:
    """Rows scaled to unit length, so that a dot product is a cosine."""
    array = np.asarray(vectors, dtype=float)
    if array.size == 0:
        return array.reshape(0, 0)
    return array / np.maximum(np.linalg.norm(array, axis=1, keepdims=True), 1e-12)


def specifics(text: str) -> set[str]:
    """The figures and names of a sentence (numbers, capitalised words after the first)."""
    return set(_SPECIFIC.findall(text))


def _overlap(a: set[str], b: set[str]) -> float:
    return len(a & b) / min(len(a), len(b)) if a and b else 0.0


def repeats(candidate: Sentence, chosen: list[Sentence], topic: str) -> bool:
    """The candidate says the same thing as a sentence already written (see the module's docstring)."""
    beyond_topic = content_terms(topic)
    words = content_terms(candidate.text) - beyond_topic
    figures = set(_NUMBER.findall(candidate.text))
    for other in chosen:
        cosine = float(candidate.vector @ other.vector)
        if candidate.text == other.text or cosine >= _P["duplicate_cosine"]:
            return True
        if figures - set(_NUMBER.findall(other.text)):
            continue  # a figure the other does not give: another fact
        if cosine >= _P["similar_cosine"] or _overlap(words, content_terms(other.text) - beyond_topic) >= _P["duplicate_overlap"]:
            return True
    return False
