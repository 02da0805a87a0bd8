"""Words and terms of a text: tokens, stopwords and Snowball stemming, shared by retrieval and answering."""

from __future__ import annotations

import re
import threading

import Stemmer

from assistant.config.parameters import parameters

STOPWORDS = frozenset(parameters()["words"]["stopwords"])
WORD = re.compile(r"[A-Za-z][A-Za-z0-9'’-]*|\d+(?:[.,]\d+)*")
_STEMMER = threading.local()  # a PyStemmer object is not safe to share between threads


def stem(word: str) -> str:
    """The Snowball (Porter 2) stem of `word`, lower-cased, without a possessive: chaired and chairs give
    chair, agencies agenc, registration registr."""
    stemmer = getattr(_STEMMER, "english", None)
    if stemmer is None:
        stemmer = _STEMMER.english = Stemmer.Stemmer("english")
    return stemmer.stemWord(re.sub(r"['’]s?$", "", word.lower()))


def tokens(text: str) -> list[str]:
    """The words and numbers of `text`, in order (one-letter words dropped)."""
    return [w for w in WORD.findall(text) if len(w) > 1]


def terms(text: str) -> set[str]:
    """Stemmed content words of `text` (stopwords dropped)."""
    return {stem(w) for w in tokens(text) if w.lower() not in STOPWORDS}
