"""The LLM answerer: a chat model answers from numbered passages and cites them as [n].

When the endpoint fails (unreachable, timeout, error), the user gets one clear line
and the extractive answer, labelled as such.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from langchain_core.documents import Document
from langchain_core.messages import HumanMessage, SystemMessage

from assistant.answer.llm_briefing import draft_with_llm
from assistant.answer.prompts import render
from assistant.answer.types import REFUSAL, Answer, AnswerDelta, Answerer, Citation
from assistant.answer.verification import cited_sentences, lexical_support
from assistant.text.sentences import split_sentences


def answer_messages(question: str, passages: list[Document]) -> list:
    numbered = [
        {"n": n, "title": p.metadata.get("title", ""), "section": p.metadata.get("section", ""), "text": p.page_content}
        for n, p in enumerate(passages, start=1)
    ]
    return [
        SystemMessage(render("answer_system", refusal=REFUSAL)),
        HumanMessage(render("answer_user", question=question, passages=numbered)),
    ]


def _best_quote(passage: str, claims: list[str]) -> str:
    """The sentence of `passage` that best supports the sentences citing it."""
    sentences = split_sentences(passage) or [passage]
    return max(sentences, key=lambda s: sum(lexical_support(claim, s) for claim in claims))


def citations_for(text: str, passages: list[Document]) -> list[Citation]:
    """One citation per passage number the text cites (numbers outside the passages are ignored)."""
    claims: dict[int, list[str]] = {}
    for sentence in cited_sentences(text):
        for n in sentence.numbers:
            if 1 <= n <= len(passages):
                claims.setdefault(n, []).append(sentence.text)
    return [
        Citation.from_passage(n, passages[n - 1], _best_quote(passages[n - 1].page_content, claims[n]))
        for n in sorted(claims)
    ]


def _failure_line(exc: Exception) -> str:
    reason = re.sub(r"\s+", " ", str(exc))[:160] or exc.__class__.__name__
    return f"The language model could not answer ({exc.__class__.__name__}: {reason}). Extractive answer instead:"


class LLMAnswerer(Answerer):
    """Streams a chat model's answer; falls back to `fallback` (the extractive answerer) on failure."""

    name = "llm"
    prompt_files = ("answer_system", "answer_user", "condense_question")

    def __init__(self, model, model_name: str, fallback: Answerer):
        self.model = model
        self.model_name = model_name
        self.fallback = fallback

    @property
    def mode_label(self) -> str:
        return f"LLM ({self.model_name})"

    @property
    def embedded(self) -> Answerer:
        return self.fallback

    def draft_briefing(self, topic: str, passages: dict[str, list[Document]], verifier, max_bullets: int = 4):
        return draft_with_llm(self.model, topic, passages, verifier, max_bullets)

    def stream(self, question: str, passages: list[Document]) -> Iterator[AnswerDelta | Answer]:
        if not passages:
            yield AnswerDelta(REFUSAL)
            yield Answer(question, REFUSAL, refused=True, mode="llm")
            return
        text = ""
        try:
            for chunk in self.model.stream(answer_messages(question, passages)):
                piece = chunk.content if isinstance(chunk.content, str) else ""
                if piece:
                    text += piece
                    yield AnswerDelta(piece)
        except Exception as exc:  # noqa: BLE001 - any endpoint failure falls back, with one clear line
            yield from self._fall_back(question, passages, _failure_line(exc))
            return
        text = text.strip()
        refused = not text or text.startswith(REFUSAL)
        citations = [] if refused else citations_for(text, passages)
        yield Answer(question, REFUSAL if refused else text, refused, citations, passages, mode="llm")

    def _fall_back(self, question: str, passages: list[Document], line: str) -> Iterator[AnswerDelta | Answer]:
        yield AnswerDelta(f"\n\n{line}\n\n")
        answer = self.fallback.answer(question, passages)
        yield Answer(question, f"{line} {answer.text}", answer.refused, answer.citations, passages,
                     mode="extractive-fallback")
