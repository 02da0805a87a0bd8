"""Read the `[n]` citations of an answer back out, and check a sentence against its passage."""

from __future__ import annotations

import re
from dataclasses import dataclass

from assistant.config.parameters import parameters
from assistant.text.sentences import split_sentences
from assistant.text.terms import terms

_MARKERS = re.compile(r"\s*\[(\d+(?:\s*,\s*\d+)*)\]")

_P = parameters()["verification"]


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


def supports(sentence: str, passage: str, threshold: float = _P["lexical_min"]) -> bool:
    return lexical_support(sentence, passage) >= threshold


@dataclass(frozen=True)
class SentenceCheck:
    """One answer sentence, the passages it cites, and whether they support it."""

    text: str
    citations: tuple[int, ...]
    supported: bool
    lexical: float
    semantic: float

    def to_dict(self) -> dict:
        return {"text": self.text, "citations": list(self.citations), "supported": self.supported}


class CitationVerifier:
    """Checks every cited sentence against the passages it names, lexically and by embedding.

    A sentence is supported when its cited passages contain at least `lexical_min` of
    its content words, or at least `lexical_floor` of them and a sentence of theirs is
    within `semantic_min` cosine of it. A sentence with no citation is unsupported.
    """

    def __init__(self, embeddings, lexical_min: float = _P["lexical_min"], lexical_floor: float = _P["lexical_floor"],
                 semantic_min: float = _P["semantic_min"]):
        self.embeddings = embeddings
        self.lexical_min = lexical_min
        self.lexical_floor = lexical_floor
        self.semantic_min = semantic_min

    def _semantic(self, sentence: str, passage_text: str) -> float:
        candidates = split_sentences(passage_text)
        if not candidates:
            return 0.0
        vectors = self.embeddings.embed_documents([sentence, *candidates])
        first = vectors[0]
        return max(sum(a * b for a, b in zip(first, other)) for other in vectors[1:])

    def check(self, answer_text: str, passages_by_number: dict[int, str]) -> list[SentenceCheck]:
        checks = []
        for sentence in cited_sentences(answer_text):
            cited = " ".join(passages_by_number.get(n, "") for n in sentence.numbers).strip()
            if not sentence.numbers or not cited:
                checks.append(SentenceCheck(sentence.text, sentence.numbers, False, 0.0, 0.0))
                continue
            lexical = lexical_support(sentence.text, cited)
            semantic = 0.0
            supported = lexical >= self.lexical_min
            if not supported and lexical >= self.lexical_floor:
                semantic = self._semantic(sentence.text, cited)
                supported = semantic >= self.semantic_min
            checks.append(SentenceCheck(sentence.text, sentence.numbers, supported, lexical, semantic))
        return checks
