"""What a question comes with, checked before anything runs: the question text and earlier turns."""

from __future__ import annotations

import re

Message = dict[str, str]


def validate_history(history: object) -> list[Message]:
    """Earlier turns as `{"role", "content"}` messages; anything else is a clear error."""
    if history is None:
        return []
    if not isinstance(history, list):
        raise ValueError("history must be a JSON list of {\"role\", \"content\"} messages")
    for index, message in enumerate(history):
        if not (isinstance(message, dict) and isinstance(message.get("role"), str)
                and isinstance(message.get("content"), str)):
            raise ValueError(f"history item {index} must be an object with string fields role and content")
        if message["role"] not in ("user", "assistant", "system"):
            raise ValueError(f"history item {index} has unknown role {message['role']!r}")
    return list(history)


_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u2028-\u202e\u2066-\u2069]")


def clean_question(question: str, max_chars: int) -> str:
    """The question without control and direction-override characters; a clear error when empty or too long."""
    if not isinstance(question, str):
        raise ValueError("the question must be text")
    question = " ".join(_CONTROL.sub(" ", question).split())
    if not question:
        raise ValueError("the question is empty")
    if len(question) > max_chars:
        raise ValueError(f"the question has {len(question)} characters; the limit is {max_chars} (BRIEFING_MAX_QUESTION_CHARS)")
    return question
