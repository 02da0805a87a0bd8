"""The briefing writer: each section of the note answers its own question about the topic.

- **Background**: what the topic is, and its legal basis.
- **Key findings**: the most informative facts about the topic, with figures.
- **Practices observed**: what is done, by whom, and how.
- **Points for adaptation**: each practice set against what the documents say of the other side of the
  visit (its institutions, gaps and plans).
- **Open questions**: what the documents leave unsettled on the topic ("not found", "sources disagree",
  unconfirmed inferences).

Each section has one retrieval query built from the topic (`[briefing.section_queries]`). In embedded mode
the writer quotes sentences of the retrieved passages: a sentence below the topical relevance bar
(`assistant.answer.relevance`) is never written; the rest are ranked by relevance, fit to the section's
question and the section's own marks (a legal basis, a figure), and picked by maximal marginal relevance,
so the bullets stay diverse; a sentence that says the same thing as one already written, in any section,
is skipped. With an LLM, the model drafts the note from the same passages and every bullet is verified;
the relevance bar and the same-thing check then apply to its bullets too.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

import numpy as np
from langchain_core.documents import Document

from assistant.answer.briefing import DEFAULT_LENGTH, SECTIONS, Briefing, Bullet, bullets_for, verify_briefing
from assistant.answer.comparison import Comparison
from assistant.answer.relevance import RelevanceFn, TopicRelevance, content_terms, score_relevance
from assistant.answer.types import Answerer
from assistant.answer.verification import CitationVerifier
from assistant.config.parameters import parameters
from assistant.index.filters import SearchFilter
from assistant.text.sentences import standalone_sentences
from assistant.text.terms import STOPWORDS

_P = parameters()["briefing"]
SECTION_QUERIES: dict[str, str] = dict(_P["section_queries"])
UNSETTLED = re.compile(f"{parameters()['extractive']['not_found']}|{_P['unsettled']}", re.I)
_BACKGROUND = re.compile(_P["background_marks"])
_FIGURE = re.compile(r"\d")
_SIDES: dict[str, list[str]] = dict(_P["sides"]["names"])
_HOME = _P["sides"]["home"]
_FRAMING_WORDS = _P["framing_words"]
_VISIT = re.compile(r"\b(?:" + "|".join(re.escape(w) for w in _P["visit_words"]) + r")\b", re.I)


@dataclass
class Sentence:
    """A candidate bullet: one sentence of a retrieved passage, with what the writer knows of it."""

    text: str
    passage: Document
    vector: np.ndarray
    relevance: float = 0.0


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
    drop = {w.lower() for w in _FRAMING_WORDS}
    kept = [w for w in text.split() if re.sub(r"['’]s$", "", w.strip(",:;")).lower() not in drop]
    while kept and kept[0].lower().strip(",:;") in STOPWORDS:
        kept.pop(0)
    while kept and kept[-1].lower().strip(",:;") in STOPWORDS:
        kept.pop()
    return " ".join(kept) or topic


def side_of(sentence: str, passage: Document) -> set[str]:
    """The sides a sentence is about: those it names, or else those its document's title names."""
    return _names(sentence) or _names(passage.metadata.get("title", ""))


def _overlap(a: set[str], b: set[str]) -> float:
    return len(a & b) / min(len(a), len(b)) if a and b else 0.0


class BriefingWriter:
    """Writes a `Briefing` from the indexed documents, via the same retriever and verifier as the chat.

    >>> writer = BriefingWriter(retriever, answerer, verifier, relevance=TopicRelevance(embeddings))
    >>> writer.write("Kenya's BCOCC", length="one-page").to_markdown()

    `relevance` is any `topic_relevance(topic, sentence, passage) -> float` (see `assistant.answer.relevance`).
    """

    def __init__(self, retriever, answerer: Answerer, verifier: CitationVerifier, relevance: RelevanceFn | None = None,
                 passages_per_section: int = _P["passages_per_section"]):
        self.retriever = retriever
        self.answerer = answerer
        self.embeddings = answerer.embedded.embeddings
        self.verifier = verifier
        self.relevance = relevance or TopicRelevance(self.embeddings)
        self.passages_per_section = passages_per_section

    def _retrieve(self, query: str, search_filter: SearchFilter) -> list[Document]:
        retriever = self.retriever
        if hasattr(retriever, "k") and hasattr(retriever, "model_copy"):
            retriever = retriever.model_copy(update={"k": self.passages_per_section})
        return retriever.invoke(query, search_filter=search_filter)

    def write(self, topic: str = "", sources: tuple[str, ...] = (), search_filter: SearchFilter | None = None,
              length: str = DEFAULT_LENGTH) -> Briefing:
        per_section = bullets_for(length)
        topic = " ".join(topic.split())
        if not topic and not sources:
            raise ValueError("give a topic, documents, or both")
        base = search_filter or SearchFilter()
        scope = replace(base, sources=tuple(sources) or base.sources)
        side = other_side(topic)
        subject = subject_of(topic) if topic else "the selected documents"
        queries = {name: query.format(topic=subject, side=side) for name, query in SECTION_QUERIES.items()}
        passages = {name: self._retrieve(query, scope) for name, query in queries.items()}
        passages["other side"] = self._retrieve(_P["sides"]["counterpart_query"].format(side=side), scope)
        title = topic or subject
        drafted = self.answerer.draft_briefing(title, passages, self.verifier, max_bullets=per_section)
        if drafted is not None:
            note = self._tidy(drafted, subject if topic else "", per_section)
            if any(note.sections.values()):
                return replace(note, length=length)
        note = _Composer(self, subject if topic else "", subject, side, queries, passages, per_section).compose()
        return replace(verify_briefing(note, self.verifier), topic=title, length=length)

    def compare(self, topic: str, other: str, sources: tuple[str, ...] = (), search_filter: SearchFilter | None = None,
                length: str = DEFAULT_LENGTH) -> Comparison:
        """Two notes side by side; a bullet of the second that says the same thing as one of the first is dropped.
        In LLM mode each column is the model's draft for its topic (no separate comparison prompt)."""
        if not topic.strip() or not other.strip():
            raise ValueError("a comparison needs two topics")
        left = self.write(topic, sources, search_filter, length)
        right = self.write(other, sources, search_filter, length)
        right = self._without(right, left)
        notes = []
        if "llm" in (left.mode, right.mode):
            notes.append("Each column was drafted by the language model for its own topic and verified bullet by bullet;"
                         " the columns are set side by side without a separate comparison prompt.")
        return Comparison.of(left, right, notes)

    def _without(self, note: Briefing, first: Briefing) -> Briefing:
        """`note` without the bullets that state something a bullet of `first` states (same text, or an embedding
        cosine at or above `duplicate_cosine`)."""
        mine = [(name, b) for name in SECTIONS for b in note.sections.get(name, [])]
        theirs = [text for name in SECTIONS for b in first.sections.get(name, []) for text, _ in b.claims()]
        if not mine or not theirs:
            return note
        statements = [[text for text, _ in b.claims()] for _, b in mine]
        flat = [text for texts in statements for text in texts]
        vectors = _unit(self.embeddings.embed_documents(flat + theirs))
        closest = (vectors[:len(flat)] @ vectors[len(flat):].T).max(axis=1)
        kept: dict[str, list[Bullet]] = {name: [] for name in SECTIONS}
        start = 0
        for (name, bullet), texts in zip(mine, statements):
            scores = closest[start:start + len(texts)]
            start += len(texts)
            if not any(t in theirs for t in texts) and float(scores.max()) < _P["duplicate_cosine"]:
                kept[name].append(bullet)
        return replace(note, sections=kept).pruned()

    def _tidy(self, note: Briefing, topic: str, per_section: int) -> Briefing:
        """An LLM draft held to the same bar: off-topic bullets and bullets saying the same thing are dropped."""
        bullets = [(name, b) for name in SECTIONS for b in note.sections.get(name, [])]
        if not bullets:
            return note
        texts = [b.plain for _, b in bullets]
        vectors = _unit(self.embeddings.embed_documents(texts))
        passages = [note.sources[b.citations[0] - 1] for _, b in bullets]
        relevance = (score_relevance(self.relevance, topic, list(zip(texts, passages)), vectors) if topic
                     else [1.0] * len(bullets))
        kept: dict[str, list[Bullet]] = {name: [] for name in SECTIONS}
        chosen: list[Sentence] = []
        for (name, bullet), text, passage, vector, score in zip(bullets, texts, passages, vectors, relevance):
            candidate = Sentence(text, passage, vector, score)
            if (topic and score < _P["relevance_bar"]) or len(kept[name]) >= per_section or _repeats(candidate, chosen, topic):
                continue
            chosen.append(candidate)
            kept[name].append(bullet)
        return replace(note, sections=kept)


def _unit(vectors) -> np.ndarray:
    array = np.asarray(vectors, dtype=float)
    if array.size == 0:
        return array.reshape(0, 0)
    return array / np.maximum(np.linalg.norm(array, axis=1, keepdims=True), 1e-12)


_NUMBER = re.compile(r"\d[\d.,]*\d|\d")


def _repeats(candidate: Sentence, chosen: list[Sentence], topic: str) -> bool:
    """The candidate says the same thing as a sentence already written: embedding cosine at or above
    `duplicate_cosine`, or, unless it brings figures of its own, a cosine at or above `similar_cosine` or the
    words it adds beyond the topic's mostly the same (`duplicate_overlap`)."""
    beyond_topic = content_terms(topic)
    words = content_terms(candidate.text) - beyond_topic
    figures = set(_NUMBER.findall(candidate.text))
    for other in chosen:
        cosine = float(candidate.vector @ other.vector)
        if candidate.text == other.text or cosine >= _P["duplicate_cosine"]:
            return True
        if figures - set(_NUMBER.findall(other.text)):
            continue  # a figure the other does not give: another fact
        if cosine >= _P["similar_cosine"] or _overlap(words, content_terms(other.text) - beyond_topic) >= _P["duplicate_overlap"]:
            return True
    return False


@dataclass
class _Draft:
    """A bullet being written: its sentences (one, or parallel statements of one passage) and, for a point
    for adaptation, the other side's counterpart."""

    sentences: list[Sentence]
    against: Sentence | None = None
    paired: bool = False


_SPECIFIC = re.compile(r"\d[\d.,]*\d|\d|(?<!^)\b[A-Z][\w'’-]*")


def _specifics(text: str) -> set[str]:
    """The figures and names of a sentence (numbers, capitalised words after the first)."""
    return set(_SPECIFIC.findall(text))


class _Composer:
    """One embedded note: every candidate sentence scored once, then the sections filled in turn, one
    bullet each per round, so a topic with few sentences still gets every section answered."""

    ORDER = ("Background", "Key findings", "Practices observed", "Points for adaptation", "Open questions")

    def __init__(self, writer: BriefingWriter, topic: str, subject: str, side: str, queries: dict[str, str],
                 passages: dict[str, list[Document]], per_section: int):
        self.writer, self.topic, self.subject, self.side = writer, topic, subject, side
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
        embeddings = self.writer.embeddings
        vectors = _unit(embeddings.embed_documents(texts)) if texts else np.zeros((0, 0))
        relevance = (score_relevance(self.writer.relevance, self.topic, [pairs[t] for t in texts], vectors)
                     if self.topic else [1.0] * len(texts))
        query_vectors = _unit(embeddings.embed_documents([queries[name] for name in SECTIONS]))
        self.fit = {name: dict(zip(texts, (vectors @ q).tolist() if texts else [])) for name, q in zip(SECTIONS, query_vectors)}
        self.topic_vector = _unit([embeddings.embed_query(self.subject)])[0]
        return [Sentence(t, pairs[t][1], v, r) for t, v, r in zip(texts, vectors, relevance)]

    def _topical(self, sentence: Sentence) -> bool:
        return not self.topic or sentence.relevance >= _P["relevance_bar"]

    def _score(self, name: str, sentence: Sentence) -> float:
        """Relevance, fit to the section's question, how much it says (figures and names), the section's marks."""
        score = sentence.relevance + _P["fit_weight"] * self.fit[name][sentence.text]
        score += _P["specific_weight"] * min(len(_specifics(sentence.text)), 4) / 4
        if name == "Background" and _BACKGROUND.search(sentence.text):
            score += _P["mark_boost"]
        if name == "Key findings" and _FIGURE.search(sentence.text):
            score += _P["mark_boost"]
        return score

    def _parallel(self, sentence: Sentence) -> _Draft | None:
        """The bullet this sentence belongs in as a parallel statement: same passage, close in meaning, but
        with figures or names of its own (a figure for another year, the chair at another kind of post)."""
        chunk = sentence.passage.metadata["chunk_id"]
        own = _specifics(sentence.text)
        for drafts in self.drafts.values():
            for draft in drafts:
                if len(draft.sentences) >= _P["parallel_max"] or draft.sentences[0].passage.metadata["chunk_id"] != chunk:
                    continue
                if all(float(sentence.vector @ s.vector) >= _P["parallel_cosine"] and own - _specifics(s.text)
                       and _specifics(s.text) - own for s in draft.sentences):
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
            if _repeats(best, self.chosen, self.topic):
                continue
            self.chosen.append(best)
            return best
        return None

    def _counterpart(self, practice: Sentence) -> Sentence | None:
        """What the documents say of the other side closest to a practice (institutions, gaps, plans)."""
        placed = {c.text for c in self.chosen}
        options = [s for s in self.sentences if s.text not in placed and side_of(s.text, s.passage) == {self.side}
                   and not _VISIT.search(s.text) and float(s.vector @ practice.vector) >= _P["counterpart_min"]
                   and not _repeats(s, self.chosen, self.topic)]
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
        practices = [s for s in settled if self.side not in side_of(s.text, s.passage)
                     and (about_visit or not _VISIT.search(s.text))]
        pools = {"Background": settled, "Key findings": settled, "Practices observed": settled,
                 "Points for adaptation": practices, "Open questions": [s for s in topical if UNSETTLED.search(s.text)]}
        for _ in range(self.per_section):
            for name in self.ORDER:
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
