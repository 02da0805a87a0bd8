"""One embedded briefing note: every candidate sentence of the retrieved passages scored once, then the sections
filled in turn, one bullet each per round, by maximal marginal relevance, so a topic with few sentences still
gets every section answered.

- **Background**: what the topic is, and its legal basis (a sentence naming a law or an establishment ranks higher).
- **Key findings**: the most informative facts, with figures (a sentence with a figure ranks higher).
- **Practices observed**: what is done, by whom, and how.
- **Points for adaptation**: a practice set against what the documents say of the other side of the visit (its
  institutions, gaps and plans), the counterpart closest to the practice and the topic.
- **Open questions**: what the documents leave unsettled ("not found", "sources disagree", unconfirmed inferences).

A sentence below the topical relevance bar is never written; one that says the same thing as one already written,
in any section, is skipped; parallel statements of one passage (a figure for another year) share a bullet.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
from langchain_core.documents import Document

from assistant.answer.briefing import SECTIONS, Briefing, Bullet
from assistant.answer.briefing_sentences import Sentence, repeats, specifics, unit
from assistant.answer.briefing_topic import TopicReading
from assistant.answer.relevance import RelevanceFn, content_terms, score_relevance
from assistant.config.parameters import parameters
from assistant.text.sentences import standalone_sentences

_P = parameters()["briefing"]
UNSETTLED = re.compile(f"{parameters()['extractive']['not_found']}|{_P['unsettled']}", re.I)
_BACKGROUND = re.compile(_P["background_marks"])
_FIGURE = re.compile(r"\d")
_VISIT = re.compile(r"\b(?:" + "|".join(re.escape(w) for w in _P["visit_words"]) + r")\b", re.I)


@dataclass
class _Draft:
    """A bullet being written: its sentences (one, or parallel statements of one passage) and, for a point
    for adaptation, the other side's counterpart."""

    sentences: list[Sentence]
    against: Sentence | None = None
    paired: bool = False


class Composer:
    """One embedded note on a topic as the writer reads it (a note on documents alone has no topic), from the
    passages retrieved for each section's query; its practices are set against the reading's other side.

    >>> Composer(embeddings, relevance, read_topic("Kenya's BCOCC", visits), queries, passages, 4).compose()
    """

    def __init__(self, embeddings, relevance: RelevanceFn, reading: TopicReading, queries: dict[str, str],
                 passages: dict[str, list[Document]], per_section: int):
        self.embeddings, self.relevance, self.reading = embeddings, relevance, reading
        self.topic = reading.subject if reading.topic else ""
        self.subject, self.side = reading.subject, reading.side
        self.per_section = per_section
        self.passages = passages
        self.chosen: list[Sentence] = []
        self.drafts: dict[str, list[_Draft]] = {name: [] for name in SECTIONS}
        self.sentences = self._candidates(queries)

    def _candidates(self, queries: dict[str, str]) -> list[Sentence]:
        pairs: dict[str, tuple[str, Document]] = {}
        for passages in self.passages.values():
            for passage in passages:
                for text in standalone_sentences(passage.page_content):
                    if len(content_terms(text)) >= 3:  # headings, list stubs and fragments say too little alone
                        pairs.setdefault(text, (text, passage))
        texts = list(pairs)
        embeddings = self.embeddings
        vectors = unit(embeddings.embed_documents(texts)) if texts else np.zeros((0, 0))
        relevance = (score_relevance(self.relevance, self.topic, [pairs[t] for t in texts], vectors)
                     if self.topic else [1.0] * len(texts))
        query_vectors = unit(embeddings.embed_documents([queries[name] for name in SECTIONS]))
        self.fit = {name: dict(zip(texts, (vectors @ q).tolist() if texts else [])) for name, q in zip(SECTIONS, query_vectors)}
        self.topic_vector = unit([embeddings.embed_query(self.subject)])[0]
        return [Sentence(t, pairs[t][1], v, r) for t, v, r in zip(texts, vectors, relevance)]

    def _topical(self, sentence: Sentence) -> bool:
        return not self.topic or sentence.relevance >= _P["relevance_bar"]

    def _score(self, name: str, sentence: Sentence) -> float:
        """Relevance, fit to the section's question, how much it says (figures and names), the section's marks."""
        score = sentence.relevance + _P["fit_weight"] * self.fit[name][sentence.text]
        score += _P["specific_weight"] * min(len(specifics(sentence.text)), 4) / 4
        if name == "Background" and _BACKGROUND.search(sentence.text):
            score += _P["mark_boost"]
        if name == "Key findings" and _FIGURE.search(sentence.text):
            score += _P["mark_boost"]
        return score

    def _parallel(self, sentence: Sentence) -> _Draft | None:
        """The bullet this sentence belongs in as a parallel statement: same passage, close in meaning, but
        with figures or names of its own (a figure for another year, the chair at another kind of post)."""
        chunk = sentence.passage.metadata["chunk_id"]
        own = specifics(sentence.text)
        for drafts in self.drafts.values():
            for draft in drafts:
                if len(draft.sentences) >= _P["parallel_max"] or draft.sentences[0].passage.metadata["chunk_id"] != chunk:
                    continue
                if all(float(sentence.vector @ s.vector) >= _P["parallel_cosine"] and own - specifics(s.text)
                       and specifics(s.text) - own for s in draft.sentences):
                    return draft
        return None

    def _take(self, name: str, pool: list[Sentence]) -> Sentence | None:
        """The next sentence for a new bullet of `name`, by maximal marginal relevance; parallel statements met
        on the way join their bullet, and a sentence saying the same thing as one already written is skipped."""
        placed = {c.text for c in self.chosen}
        remaining = [s for s in pool if s.text not in placed]
        scores = {s.text: self._score(name, s) for s in remaining}
        weight = _P["mmr_lambda"]

        def marginal(s: Sentence) -> float:
            similar = max((float(s.vector @ c.vector) for c in self.chosen), default=0.0)
            return weight * scores[s.text] - (1 - weight) * similar

        while remaining:
            best = max(remaining, key=marginal)
            remaining.remove(best)
            target = self._parallel(best)
            if target is not None:
                target.sentences.append(best)
                self.chosen.append(best)
                continue
            if repeats(best, self.chosen, self.topic):
                continue
            self.chosen.append(best)
            return best
        return None

    def _counterpart(self, practice: Sentence) -> Sentence | None:
        """What the documents say of the other side closest to a practice (institutions, gaps, plans)."""
        placed = {c.text for c in self.chosen}
        options = [s for s in self.sentences if s.text not in placed and self.reading.side_of(s.text, s.passage) == {self.side}
                   and not _VISIT.search(s.text) and float(s.vector @ practice.vector) >= _P["counterpart_min"]
                   and not repeats(s, self.chosen, self.topic)]
        if not options:
            return None
        best = max(options, key=lambda c: float(c.vector @ practice.vector)
                   + _P["counterpart_topic_weight"] * float(c.vector @ self.topic_vector))
        self.chosen.append(best)
        return best

    def compose(self) -> Briefing:
        topical = [s for s in self.sentences if self._topical(s)]
        settled = [s for s in topical if not UNSETTLED.search(s.text)]
        about_visit = bool(_VISIT.search(self.subject))
        practices = [s for s in settled if self.side not in self.reading.side_of(s.text, s.passage)
                     and (about_visit or not _VISIT.search(s.text))]
        pools = {"Background": settled, "Key findings": settled, "Practices observed": settled,
                 "Points for adaptation": practices, "Open questions": [s for s in topical if UNSETTLED.search(s.text)]}
        for _ in range(self.per_section):
            for name in SECTIONS:
                if len(self.drafts[name]) >= self.per_section:
                    continue
                sentence = self._take("Practices observed" if name == "Points for adaptation" else name, pools[name])
                if sentence is None:
                    continue
                draft = _Draft([sentence], paired=name == "Points for adaptation")
                if draft.paired:
                    draft.against = self._counterpart(sentence)
                self.drafts[name].append(draft)
        return self._note()

    def _note(self) -> Briefing:
        """The drafts as bullets, their passages numbered in reading order."""
        numbering: dict[str, int] = {}
        sources: list[Document] = []

        def number(sentence: Sentence) -> tuple[int, ...]:
            chunk_id = sentence.passage.metadata["chunk_id"]
            if chunk_id not in numbering:
                numbering[chunk_id] = len(sources) + 1
                sources.append(sentence.passage)
            return (numbering[chunk_id],)

        sections: dict[str, list[Bullet]] = {}
        for name in SECTIONS:
            sections[name] = []
            for draft in self.drafts[name]:
                first, *more = draft.sentences
                citations = number(first)
                against = Bullet(draft.against.text, number(draft.against)) if draft.against else None
                sections[name].append(Bullet(first.text, citations, more=tuple(s.text for s in more), against=against,
                                             side=self.side if draft.paired else ""))
        return Briefing(self.subject, sections, sources)
