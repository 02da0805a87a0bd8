"""Words and terms of a text: tokens, stopwords and a light stemmer, shared by retrieval and answering."""

from __future__ import annotations

import re

from assistant.config.parameters import parameters

STOPWORDS = frozenset(parameters()["words"]["stopwords"])
_IRREGULAR = parameters()["words"]["irregular"]
WORD = re.compile(r"[A-Za-z][A-Za-z0-9'’-]*|\d+(?:[.,]\d+)*")

def stem(word: str) -> str:
    """A light suffix stemmer: enough to match chaired/chair, visits/visit, agencies/agency."""
    word = word.lower().replace("’", "'")
    word = re.sub(r"'s?$", "", word)
    if word in _IRREGULAR:
        return _IRREGULAR[word]
    for suffix, replacement, min_len in (("ies", "y", 5), ("sses", "ss", 5), ("ing", "", 6), ("ed", "", 5), ("es", "", 5), ("s", "", 4)):
        if word.endswith(suffix) and len(word) >= min_len and not word.endswith("ss"):
            word = word[: -len(suffix)] + replacement
            break
    if len(word) > 4 and word.endswith("e"):
        word = word[:-1]
    return word


def tokens(text: str) -> list[str]:
    """The words and numbers of `text`, in order (one-letter words dropped)."""
    return [w for w in WORD.findall(text) if len(w) > 1]


def terms(text: str) -> set[str]:
    """Stemmed content words of `text` (stopwords dropped)."""
    return {stem(w) for w in tokens(text) if w.lower() not in STOPWORDS}
