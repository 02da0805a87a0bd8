"""Split prose into sentences without breaking on titles, initials or decimals."""

from __future__ import annotations

import re

# Words after which a full stop does not end a sentence.
_ABBREVIATIONS = {
    "mr", "mrs", "ms", "dr", "prof", "brig", "gen", "col", "maj", "capt", "lt", "sgt", "st",
    "no", "nos", "cap", "art", "sec", "s", "ss", "vol", "p", "pp", "e.g", "i.e", "etc", "vs",
    "approx", "inc", "ltd", "co", "jr", "sr", "hon", "rev", "fig", "u.s", "u.k", "u.n",
    "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec",
}
_CANDIDATE_END = re.compile(r"[.!?]['\")\]]*\s+")
_BULLET = re.compile(r"^\s*(?:[-*+•]|\d+[.)])\s+")


def _ends_sentence(text: str, end: int, next_start: int) -> bool:
    before = text[:end].rstrip(".!?'\")]")
    word = re.split(r"[\s(\[]", before)[-1].lower() if before else ""
    if text[end - 1] == "." and (word in _ABBREVIATIONS or re.fullmatch(r"(?:[a-z]\.)*[a-z]", word)):
        return False
    following = text[next_start:next_start + 1]
    return bool(following) and (following.isupper() or following.isdigit() or following in "\"'(“‘[")


def split_sentences(text: str) -> list[str]:
    """Sentences of `text`; each line of a list counts as its own sentence."""
    sentences: list[str] = []
    for line in re.split(r"\n\s*\n|\n(?=\s*(?:[-*+•]|\d+[.)])\s)", text):
        line = _BULLET.sub("", " ".join(line.split()))
        if not line:
            continue
        start = 0
        for match in _CANDIDATE_END.finditer(line):
            end = match.start() + 1
            while end < len(line) and line[end] in "'\")]":
                end += 1
            if _ends_sentence(line, end, match.end()):
                sentences.append(line[start:end].strip())
                start = match.end()
        tail = line[start:].strip()
        if tail:
            sentences.append(tail)
    return sentences


_POINTS_BACK = re.compile(r"^(?:He|She|It|They|His|Her|Its|Their|This|These|Those|Such|The latter|The former)\b")
"""A sentence opening with one of these points back to something said before it ("He noted that ...")."""


def standalone_sentences(text: str) -> list[str]:
    """Sentences of `text` that can be read alone: one that opens by pointing back ("He noted that ...", "These
    visits ...") comes with the sentence before it, and one with nothing before it to point to is left out."""
    standalone: list[str] = []
    previous = ""
    for sentence in split_sentences(text):
        if _POINTS_BACK.match(sentence):
            if not previous:
                continue
            sentence = f"{previous} {sentence}"
        standalone.append(sentence)
        previous = sentence
    return standalone
