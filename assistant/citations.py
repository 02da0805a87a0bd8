"""Read the `[n]` citations of an answer back out, and check a sentence against its passage."""

from __future__ import annotations

import re
from dataclasses import dataclass

from assistant.questions import terms
from assistant.sentences import split_sentences

_MARKERS = re.compile(r"\s*\[(\d+(?:\s*,\s*\d+)*)\]")


@dataclass(frozen=True)
class CitedSentence:
    text: str
    """The sentence without its markers."""
    numbers: tuple[int, ...]


def cited_sentences(answer: str) -> list[CitedSentence]:
    """Each sentence of `answer` with the citation numbers it carries."""
    result = []
    for sentence in split_sentences(answer):
        numbers = tuple(int(n) for group in _MARKERS.findall(sentence) for n in group.split(","))
        result.append(CitedSentence(_MARKERS.sub("", sentence).strip(), numbers))
    return result


def lexical_support(sentence: str, passage: str) -> float:
    """Share of the sentence's content words that the passage contains."""
    claimed = terms(sentence)
    if not claimed:
        return 1.0
    return len(claimed & terms(passage)) / len(claimed)


def supports(sentence: str, passage: str, threshold: float = 0.8) -> bool:
    return lexical_support(sentence, passage) >= threshold
