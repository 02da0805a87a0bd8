"""Quoted sentences with their citation markers, and the citations they refer to."""

from __future__ import annotations

import re

from langchain_core.documents import Document

from assistant.answer.types import REFUSAL, Answer, Citation

NOTHING_RELEVANT = "Nothing relevant to it was found."


def cite(sentence: str, n: int) -> str:
    """Put the citation marker `[n]` before the sentence's closing punctuation."""
    match = re.search(r"([.!?]['\")\]]*)$", sentence)
    if match:
        return f"{sentence[: match.start()]} [{n}]{match.group(1)}"
    return f"{sentence} [{n}]."


def quote(chosen: list, passages: list[Document]) -> tuple[str, list[Citation]]:
    """The chosen sentences (objects with `sentence` and `passage`) as one text, each with the marker of its
    passage, and one citation per passage quoting every sentence taken from it."""
    numbers: dict[str, int] = {}
    quotes: dict[str, list[str]] = {}
    sentences = []
    for item in chosen:
        chunk_id = item.passage.metadata["chunk_id"]
        n = numbers.setdefault(chunk_id, len(numbers) + 1)
        quotes.setdefault(chunk_id, []).append(item.sentence)
        sentences.append(cite(item.sentence, n))
    by_id = {passage.metadata["chunk_id"]: passage for passage in passages}
    citations = [Citation.from_passage(n, by_id[cid], " ".join(quotes[cid])) for cid, n in numbers.items()]
    return " ".join(sentences), citations


def refusal(question: str, passages: list[Document], closest=None, confidence: float | None = None,
            support: float | None = None) -> Answer:
    """A refusal that says why: with `closest` (an object with `sentence` and `passage`: the candidate that came
    nearest), it names that passage so that the official can read it; without, nothing relevant was found."""
    if closest is None:
        return Answer(question, f"{REFUSAL} {NOTHING_RELEVANT}", refused=True, passages=passages,
                      support=support, confidence=confidence)
    nearest = Citation.from_passage(0, closest.passage, closest.sentence)
    text = f"{REFUSAL} The closest passage found, {nearest.label}, does not answer it."
    return Answer(question, text, refused=True, passages=passages, support=support, confidence=confidence,
                  closest=nearest)
