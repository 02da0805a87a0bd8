"""How the briefing writer reads a topic: what it is about, and which side of the visit its practices are
set against."""

from __future__ import annotations

import re

from langchain_core.documents import Document

from assistant.config.parameters import parameters
from assistant.text.terms import STOPWORDS

_P = parameters()["briefing"]
_SIDES: dict[str, list[str]] = dict(_P["sides"]["names"])
_HOME = _P["sides"]["home"]
_FRAMING_WORDS = {w.lower() for w in _P["framing_words"]}


def _names(text: str) -> set[str]:
    """The sides of the visit named in `text`."""
    return {side for side, names in _SIDES.items()
            if re.search(r"\b(?:" + "|".join(re.escape(n) for n in names) + r")\b", text)}


def other_side(topic: str) -> str:
    """The side a topic's practices are set against: the home side (the visitors, for whom the notes are
    written), unless the topic is about the home side alone; then the first side that is not home."""
    named = _names(topic)
    if named == {_HOME}:
        return next(side for side in _SIDES if side != _HOME)
    return _HOME


def subject_of(topic: str) -> str:
    """What a topic is about, for retrieval and relevance: without framing words ("Lessons", "overview"), and
    without the home side named as the note's audience ("... for Pakistan"): "Lessons for Pakistan from
    Kenya's one-stop border posts" is about Kenya's one-stop border posts."""
    home = "|".join(re.escape(n) for n in _SIDES[_HOME])
    text = re.sub(rf"\b(?:for|to)\s+(?:{home})\b", " ", topic)
    kept = [w for w in text.split() if re.sub(r"['’]s$", "", w.strip(",:;")).lower() not in _FRAMING_WORDS]
    while kept and kept[0].lower().strip(",:;") in STOPWORDS:
        kept.pop(0)
    while kept and kept[-1].lower().strip(",:;") in STOPWORDS:
        kept.pop()
    return " ".join(kept) or topic


def side_of(sentence: str, passage: Document) -> set[str]:
    """The sides a sentence is about: those it names, or else those its document's title names."""
    return _names(sentence) or _names(passage.metadata.get("title", ""))
