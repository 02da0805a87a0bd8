"""What every answerer returns, and the interface an answerer implements.

An answerer streams `AnswerDelta`s (drafts: text as a model writes it, its [n] numbering the passages in
the order given) and ends with one `Answer`; an answerer that composes its answer whole yields only the
`Answer`. What reaches a reader is decided by the chain (`assistant.answer.streaming`). The extractive answerer and an LLM answerer plug into the same chain.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field, replace

from langchain_core.documents import Document

from assistant.answer.verification import CitationVerifier, SentenceCheck
from assistant.index.chunks import location

REFUSAL = "The documents in the knowledge base do not answer this question."
UNVERIFIED = "A drafted answer was withheld because no sentence of it is supported by the passages it cites."


@dataclass(frozen=True)
class Citation:
    n: int
    source: str
    title: str
    section: str
    quote: str
    chunk_id: str
    page: int | None = None
    """The page the passage is on (PDFs); None for files without pages."""
    page_end: int | None = None
    """The last page, when the passage crosses a page break."""

    @classmethod
    def from_passage(cls, n: int, passage: Document, quote: str) -> "Citation":
        meta = passage.metadata
        page, page_end = meta.get("page") or None, meta.get("page_end") or None
        return cls(n, meta["source"], meta.get("title", ""), meta.get("section", ""), quote, meta["chunk_id"],
                   page, page_end if page_end != page else None)

    @property
    def location(self) -> str:
        """The section and pages: "Article 83 — General conditions for imposing administrative fines, p. 82"."""
        return location(self.section, self.page, self.page_end)

    def to_dict(self) -> dict:
        """As in `ask --json`: `page` always (null without one), `page_end` only when it differs."""
        fields = asdict(self)
        if fields["page_end"] is None:
            del fields["page_end"]
        return fields

    @property
    def label(self) -> str:
        """How a reader finds the passage: "Title, Section, p. N"."""
        return ", ".join(part for part in (self.title or self.source, self.location) if part)


@dataclass
class Answer:
    question: str
    text: str
    refused: bool
    citations: list[Citation] = field(default_factory=list)
    passages: list[Document] = field(default_factory=list, repr=False)
    mode: str = "extractive"
    """`extractive`, `llm`, or `extractive-fallback` (the LLM failed; the extractive answer is shown)."""
    sentences: list[SentenceCheck] = field(default_factory=list)
    """Each sentence with its citations and whether they support it (filled in by verification)."""
    classification: str = ""
    """The highest classification among the cited sources (filled in by the chain)."""
    query: str = ""
    """The standalone query retrieval used (filled in by the chain)."""
    support: float | None = None
    """The embedded answerer's raw score of its best candidate sentence (None: no candidate, or another answerer)."""
    confidence: float | None = None
    """The estimated probability that the answer is right, calibrated on the in-domain calibration documents
    (see `assistant/answer/models/decision.json`); None in LLM mode or when no sentence was a candidate."""
    closest: Citation | None = None
    """For a refusal: the passage that came closest to answering, so that the official can read it."""
    low_confidence: bool = False
    """Answered with a confidence below the answerer's calibrated bar (`Answerer.low_confidence_below`): shown as
    "Low confidence: check the passage" (filled in by the chain)."""

    @property
    def retrieved(self) -> list[str]:
        return [passage.metadata["chunk_id"] for passage in self.passages]

    def citation_supported(self, n: int) -> bool:
        """A citation is supported when every sentence that cites it is."""
        citing = [s for s in self.sentences if n in s.citations]
        return bool(citing) and all(s.supported for s in citing)

    def to_dict(self) -> dict:
        """The stable `ask --json` contract (`mode`, `sentences` and per-citation `supported` were added later)."""
        return {
            "question": self.question,
            "answer": self.text,
            "refused": self.refused,
            "citations": [c.to_dict() | {"supported": self.citation_supported(c.n)} for c in self.citations],
            "mode": self.mode,
            "sentences": [s.to_dict() for s in self.sentences],
            "classification": self.classification,
            "confidence": None if self.confidence is None else round(self.confidence, 3),
            "closest": None if self.closest is None else self.closest.to_dict(),
            "low_confidence": self.low_confidence,
        }


@dataclass(frozen=True)
class AnswerDelta:
    text: str


class Answerer(ABC):
    """Turns a question and its retrieved passages into a cited answer."""

    name: str = "answerer"
    mode_label: str = "embedded (no LLM, offline)"
    """How the UI names the mode it answers in."""
    model_name: str = ""
    """The language model behind the answers, if any (recorded in the audit log)."""
    prompt_files: tuple[str, ...] = ()
    """The prompts it renders; their version is recorded with each answer."""
    low_confidence_below: float | None = None
    """The calibrated confidence under which its answers are marked "Low confidence: check the passage" (answers
    below it were right less often than not on its calibration data); None: its answers carry no calibrated
    confidence."""

    @property
    def embedded(self) -> "Answerer":
        """The answerer that works without a language model: itself, or the one it falls back on."""
        return self

    def draft_briefing(self, topic: str, passages: dict[str, list[Document]], verifier: CitationVerifier,
                       max_bullets: int = 4):
        """A drafted briefing note (at most `max_bullets` a section), or None to let the embedded writer
        compose it (the default)."""
        return None

    @abstractmethod
    def stream(self, question: str, passages: list[Document]) -> Iterator[AnswerDelta | Answer]:
        """Yield drafted text as it is produced (if any: [n] numbers the passages in order), then the final
        `Answer`."""

    def answer(self, question: str, passages: list[Document]) -> Answer:
        final = None
        for event in self.stream(question, passages):
            if isinstance(event, Answer):
                final = event
        if final is None:
            raise RuntimeError(f"{self.name} produced no answer")
        return final


def is_low_confidence(answer: Answer, bar: float | None) -> bool:
    """Whether `answer` (not a refusal) has a confidence below `bar`."""
    return bar is not None and answer.confidence is not None and not answer.refused and answer.confidence < bar


def passage_text(passage: Document) -> str:
    """What a sentence citing `passage` is checked against: its headings are part of it (an answer may name the
    section it quotes: "Section 14 — Penalty: ...")."""
    return f"{passage.metadata.get('title', '')} {passage.metadata.get('section', '')}\n{passage.page_content}"


def verify(answer: Answer, verifier: CitationVerifier) -> Answer:
    """Check every sentence against its cited passages; an answer with no supported sentence becomes a refusal."""
    by_chunk = {p.metadata["chunk_id"]: passage_text(p) for p in answer.passages}
    numbered = {c.n: by_chunk.get(c.chunk_id, c.quote) for c in answer.citations}
    body = answer.text.replace(REFUSAL, "").strip()
    if answer.refused and not answer.citations:
        return answer  # a plain refusal, perhaps with its reason: it quotes nothing
    checks = verifier.check(body, numbered) if body else []
    if answer.refused or any(check.supported for check in checks):
        return replace(answer, sentences=checks)
    return replace(answer, text=f"{REFUSAL} {UNVERIFIED}", refused=True, citations=[], sentences=checks)
