"""The briefing writer: a note on a topic and/or documents whose sections each answer their own question.

Each section has one retrieval query built from the topic (`[briefing.section_queries]`), and one more query
finds what the documents say of the other side of the visit. In embedded mode the note is composed from the
retrieved passages (`assistant.answer.briefing_composer`); with an LLM, the model drafts it from the same
passages, every bullet is verified, and the relevance bar and the same-thing check (`briefing_sentences`)
then apply to its bullets too. A comparison sets two notes side by side.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from langchain_core.documents import Document

from assistant.answer.briefing import DEFAULT_LENGTH, SECTIONS, Briefing, Bullet, bullets_for, verify_briefing
from assistant.answer.briefing_composer import Composer
from assistant.answer.briefing_sentences import Sentence, repeats, unit
from assistant.answer.briefing_topic import read_topic
from assistant.answer.comparison import Comparison
from assistant.answer.relevance import RelevanceFn, TopicRelevance, score_relevance
from assistant.answer.types import Answerer
from assistant.answer.verification import CitationVerifier
from assistant.config.parameters import parameters
from assistant.index.filters import SearchFilter
from assistant.index.visit import Visit

_P = parameters()["briefing"]
SECTION_QUERIES: dict[str, str] = dict(_P["section_queries"])


def _query(template: str, subject: str, side: str) -> str:
    """A retrieval query from its template; without a side (no visit declared), the side's part is left out."""
    return template.format(topic=subject, side=side).strip(" :")


class BriefingWriter:
    """Writes a `Briefing` from the indexed documents, via the same retriever and verifier as the chat.

    >>> writer = BriefingWriter(retriever, answerer, verifier, relevance=TopicRelevance(embeddings))
    >>> writer.write("Kenya's BCOCC", length="one-page").to_markdown()

    `relevance` is any `topic_relevance(topic, sentence, passage) -> float` (see `assistant.answer.relevance`).
    """

    def __init__(self, retriever, answerer: Answerer, verifier: CitationVerifier, relevance: RelevanceFn | None = None,
                 passages_per_section: int = _P["passages_per_section"], visits: Sequence[Visit] = ()):
        self.retriever = retriever
        self.visits = tuple(visits)
        """The study visits the documents declare (`assistant.index.visit`), the one with most passages first."""
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
        reading = read_topic(topic, self.visits)
        subject, side = reading.subject, reading.side
        queries = {name: _query(query, subject, side) for name, query in SECTION_QUERIES.items()}
        passages = {name: self._retrieve(query, scope) for name, query in queries.items()}
        passages["other side"] = self._retrieve(_query(_P["counterpart_query"], subject, side), scope) if side else []
        title = topic or subject
        drafted = self.answerer.draft_briefing(title, passages, self.verifier, max_bullets=per_section)
        if drafted is not None:
            note = self._tidy(drafted, subject if topic else "", per_section)
            if any(note.sections.values()):
                return replace(note, length=length)
        note = Composer(self.embeddings, self.relevance, reading, queries, passages, per_section).compose()
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
        vectors = unit(self.embeddings.embed_documents(flat + theirs))
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
        vectors = unit(self.embeddings.embed_documents(texts))
        passages = [note.sources[b.citations[0] - 1] for _, b in bullets]
        relevance = (score_relevance(self.relevance, topic, list(zip(texts, passages)), vectors) if topic
                     else [1.0] * len(bullets))
        kept: dict[str, list[Bullet]] = {name: [] for name in SECTIONS}
        chosen: list[Sentence] = []
        for (name, bullet), text, passage, vector, score in zip(bullets, texts, passages, vectors, relevance):
            candidate = Sentence(text, passage, vector, score)
            if (topic and score < _P["relevance_bar"]) or len(kept[name]) >= per_section or repeats(candidate, chosen, topic):
                continue
            chosen.append(candidate)
            kept[name].append(bullet)
        return replace(note, sections=kept)
