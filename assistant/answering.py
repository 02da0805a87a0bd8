"""What every answerer returns, and the interface an answerer implements.

An answerer streams `AnswerDelta`s (text as it is produced) and ends with one
`Answer`. The extractive answerer and an LLM answerer plug into the same chain.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field

from langchain_core.documents import Document


@dataclass(frozen=True)
class Citation:
    n: int
    source: str
    title: str
    section: str
    quote: str
    chunk_id: str

    @classmethod
    def from_passage(cls, n: int, passage: Document, quote: str) -> "Citation":
        meta = passage.metadata
        return cls(n, meta["source"], meta.get("title", ""), meta.get("section", ""), quote, meta["chunk_id"])


@dataclass
class Answer:
    question: str
    text: str
    refused: bool
    citations: list[Citation] = field(default_factory=list)
    passages: list[Document] = field(default_factory=list, repr=False)

    @property
    def retrieved(self) -> list[str]:
        return [passage.metadata["chunk_id"] for passage in self.passages]

    def to_dict(self) -> dict:
        """The stable `ask --json` contract."""
        return {
            "question": self.question,
            "answer": self.text,
            "refused": self.refused,
            "citations": [asdict(citation) for citation in self.citations],
        }


@dataclass(frozen=True)
class AnswerDelta:
    text: str


class Answerer(ABC):
    """Turns a question and its retrieved passages into a cited answer."""

    name: str = "answerer"

    @abstractmethod
    def stream(self, question: str, passages: list[Document]) -> Iterator[AnswerDelta | Answer]:
        """Yield text deltas as the answer is produced, then the final `Answer`."""

    def answer(self, question: str, passages: list[Document]) -> Answer:
        final = None
        for event in self.stream(question, passages):
            if isinstance(event, Answer):
                final = event
        if final is None:
            raise RuntimeError(f"{self.name} produced no answer")
        return final
