"""Quoted sentences with their citation markers, the citations they refer to, and refusals that say why."""

from __future__ import annotations

import re

from langchain_core.documents import Document

from assistant.answer.constraints import Mismatch
from assistant.answer.types import REFUSAL, Answer, Citation

NOTHING_RELEVANT = "Nothing relevant to it was found."
_UNIT = re.compile(r"^\s*(?:(?:section|article|chapter|part|schedule|regulation|rule|paragraph|clause)\b|\d+[A-Z]?\b)",
                   re.I)


def cite(sentence: str, n: int) -> str:
    """Put the citation marker `[n]` before the sentence's closing punctuation."""
    match = re.search(r"([.!?]['\")\]]*)$", sentence)
    if match:
        return f"{sentence[: match.start()]} [{n}]{match.group(1)}"
    return f"{sentence} [{n}]."


def unit_of(passage: Document) -> str:
    """The provision a passage stands under, as its section heading names it ("Section 14 — Penalty"), or ""."""
    section = str(passage.metadata.get("section", "")).strip()
    return section if _UNIT.match(section) else ""


def quote(chosen: list, passages: list[Document], name_sections: bool = False) -> tuple[str, list[Citation]]:
    """The chosen sentences (objects with `sentence` and `passage`) as one text, each with the marker of its
    passage, and one citation per passage quoting every sentence taken from it. With `name_sections`, the first
    sentence from each passage opens with the provision it stands under ("Section 14 — Penalty: ...")."""
    numbers: dict[str, int] = {}
    quotes: dict[str, list[str]] = {}
    sentences = []
    for item in chosen:
        chunk_id = item.passage.metadata["chunk_id"]
        first = chunk_id not in numbers
        n = numbers.setdefault(chunk_id, len(numbers) + 1)
        quotes.setdefault(chunk_id, []).append(item.sentence)
        unit = unit_of(item.passage) if name_sections and first else ""
        sentences.append(cite(f"{unit}: {item.sentence}" if unit else item.sentence, n))
    by_id = {passage.metadata["chunk_id"]: passage for passage in passages}
    citations = [Citation.from_passage(n, by_id[cid], " ".join(quotes[cid])) for cid, n in numbers.items()]
    return " ".join(sentences), citations


def refusal(question: str, passages: list[Document], reason: str = "not found", closest=None,
            mismatch: Mismatch | None = None, confidence: float | None = None) -> Answer:
    """A refusal that says why. `reason`: "not found" (nothing relevant), "about another" (the closest passage is
    about another year, country, Act or body: `mismatch` says which), or "not stated" (the closest passage does
    not state it). `closest` (an object with `sentence` and `passage`) is named so that the official can read it."""
    if closest is None or reason == "not found":
        return Answer(question, f"{REFUSAL} {NOTHING_RELEVANT}", refused=True, passages=passages, confidence=confidence)
    nearest = Citation.from_passage(0, closest.passage, closest.sentence)
    if reason == "about another" and mismatch is not None:
        instead = f"{mismatch.found}, not {mismatch.asked}"
        text = f"{REFUSAL} The closest passage found, {nearest.label}, is about {instead}."
    else:
        text = f"{REFUSAL} The closest passage found, {nearest.label}, does not state it."
    return Answer(question, text, refused=True, passages=passages, confidence=confidence, closest=nearest)
