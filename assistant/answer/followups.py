"""Turn a follow-up question into a standalone retrieval query, without an LLM.

"When was it launched?" after "What does the Kenya Coast Guard Service do?"
becomes "When was it launched? (Kenya Coast Guard Service)": the subject of the
latest earlier user turn is carried when the follow-up refers back to it.
"""

from __future__ import annotations

import re

from assistant.text.terms import STOPWORDS, tokens

_REFERS_BACK = re.compile(
    r"\b(?:it|its|they|them|their|theirs|he|him|his|she|her|hers|this|that|these|those|there|the same|the former|the latter)\b",
    re.I,
)


def content_words(question: str) -> list[str]:
    """The words of a question that are not stopwords or numbers, in order (what it asks about, roughly)."""
    return [w for w in tokens(question) if w[0].isalpha() and w.lower() not in STOPWORDS]


_NAME = re.compile(r"(?<![\w'’])(?:[A-Z][\w'’-]*|of|and|for|the)(?:\s+(?:[A-Z][\w'’-]*|of|and|for|the))*")


def named_subject(question: str) -> str:
    """What a question is about by name: its capitalised phrases ("the Kenya Coast Guard Service" in "What is the
    mandate of the Kenya Coast Guard Service?"), without the question's own first word; "" when it names nothing."""
    words = question.split(maxsplit=1)
    rest = words[1] if len(words) > 1 else ""
    phrases = [m.group(0).strip() for m in _NAME.finditer(rest)]
    named = [p for p in phrases if any(w[:1].isupper() for w in p.split())]
    trimmed = [re.sub(r"^(?:(?:of|and|for|the)\s+)+|(?:\s+(?:of|and|for|the))+$", "", p) for p in named]
    return " ".join(p for p in trimmed if p)


def standalone_query(question: str, history: list[dict[str, str]]) -> str:
    """`question`, plus the subject of the last user turn (what it names, else its content words) when the question
    refers back or is very short."""
    earlier = [m["content"] for m in history if m.get("role") == "user" and m.get("content", "").strip()]
    if not earlier:
        return question
    if not _REFERS_BACK.search(question) and len(content_words(question)) > 2:
        return question
    subject = named_subject(earlier[-1]) or " ".join(content_words(earlier[-1]))
    return f"{question} ({subject})" if subject else question


class LLMQuestionRewriter:
    """Standalone question from the conversation with a chat model (prompt `condense_question`);
    the deterministic rewrite when there is no history or the model fails."""

    def __init__(self, model):
        self.model = model

    def __call__(self, question: str, history: list[dict[str, str]]) -> str:
        if not history:
            return question
        from assistant.answer.prompts import render

        try:
            reply = self.model.invoke(render("condense_question", question=question, history=history))
        except Exception:  # noqa: BLE001 - rewriting is an aid; the deterministic rewrite stands in
            return standalone_query(question, history)
        text = (reply.content if isinstance(reply.content, str) else "").strip().splitlines()
        return text[0].strip() if text and text[0].strip() else standalone_query(question, history)
