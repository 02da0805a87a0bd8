"""How the briefing writer reads a topic: what it is about, which study visit it belongs to, and which side of
that visit its practices are set against.

The sides come from the documents (a `visit:` block in their front matter, `assistant.index.visit`), never
from the code or the parameters: a note for a delegation from Pakistan to Kenya sets Kenya's practices against
Pakistan, one for a delegation from Uganda to Rwanda sets Rwanda's against Uganda.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from langchain_core.documents import Document

from assistant.config.parameters import parameters
from assistant.index.visit import Visit
from assistant.text.terms import STOPWORDS

_FRAMING_WORDS = {w.lower() for w in parameters()["briefing"]["framing_words"]}
DOCUMENTS_ONLY = "the selected documents"


def _named(names: Sequence[str], text: str) -> bool:
    return bool(names) and re.search(r"\b(?:" + "|".join(re.escape(n) for n in names) + r")\b", text) is not None


@dataclass(frozen=True)
class TopicReading:
    """A topic as the writer reads it."""

    topic: str
    """The topic as given ("" for a note on documents alone)."""
    subject: str
    """What it is about, for retrieval and relevance ("Kenya's one-stop border posts")."""
    visit: Visit | None
    side: str
    """The side the practices are set against ("" when the documents declare no visit)."""

    def sides_named(self, text: str) -> set[str]:
        """The sides of the visit `text` names (by name or adjective)."""
        return {side.name for side in self.visit.sides if _named(side.names, text)} if self.visit else set()

    def side_of(self, sentence: str, passage: Document) -> set[str]:
        """The sides a sentence is about: those it names, or else those its document's title names."""
        return self.sides_named(sentence) or self.sides_named(passage.metadata.get("title", ""))


def visit_for(topic: str, visits: Sequence[Visit]) -> Visit | None:
    """The visit a topic belongs to: the first that has a side the topic names, else the first (the one with the
    most passages); None when the documents declare none."""
    return next((v for v in visits if any(_named(side.names, topic) for side in v.sides)), visits[0] if visits else None)


def subject_of(topic: str, visit: Visit | None) -> str:
    """What a topic is about: without framing words ("Lessons", "overview"), and without the home side named as
    the note's audience ("... for Pakistan"): "Lessons for Pakistan from Kenya's one-stop border posts" is about
    Kenya's one-stop border posts."""
    text = topic
    if visit is not None:
        home = "|".join(re.escape(n) for n in visit.home.names)
        text = re.sub(rf"\b(?:for|to)\s+(?:{home})\b", " ", topic)
    kept = [w for w in text.split() if re.sub(r"['’]s$", "", w.strip(",:;")).lower() not in _FRAMING_WORDS]
    while kept and kept[0].lower().strip(",:;") in STOPWORDS:
        kept.pop(0)
    while kept and kept[-1].lower().strip(",:;") in STOPWORDS:
        kept.pop()
    return " ".join(kept) or topic


def read_topic(topic: str, visits: Sequence[Visit]) -> TopicReading:
    """The subject, visit and other side of `topic`. The other side is the home side (the visitors, for whom the
    notes are written), unless the topic is about the home side alone; then the host side."""
    visit = visit_for(topic, visits)
    reading = TopicReading(topic, subject_of(topic, visit) if topic else DOCUMENTS_ONLY, visit, "")
    if visit is None:
        return reading
    side = visit.host.name if reading.sides_named(topic) == {visit.home.name} else visit.home.name
    return TopicReading(reading.topic, reading.subject, visit, side)
