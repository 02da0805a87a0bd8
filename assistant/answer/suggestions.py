"""Suggested follow-up questions: other sections of the documents an answer cited, then the
named bodies and places the answer mentions."""

from __future__ import annotations

import re

from assistant.answer.types import Answer
from assistant.index.store import KnowledgeStore

_NAME = re.compile(r"\b(?:[A-Z][a-z’']+\s+(?:(?:of|for|and|the)\s+)?){1,5}[A-Z][a-z]+\b")


def _about(subject: str) -> str:
    lead = subject[0].lower() + subject[1:] if subject[1:2].islower() and not _NAME.fullmatch(subject) else subject
    return f"What do the documents say about {lead}?"


def suggest_followups(answer: Answer, store: KnowledgeStore, limit: int = 3) -> list[str]:
    if answer.refused or not answer.citations:
        return []
    cited_sections = {c.section for c in answer.citations}
    subjects: list[str] = []
    for source in dict.fromkeys(c.source for c in answer.citations):
        subjects += [h for h in store.sections(source) if h not in cited_sections and not h.lower().startswith("page ")]
    asked = answer.question.lower()
    subjects += [name for name in _NAME.findall(answer.text) if name.lower() not in asked]
    return list(dict.fromkeys(_about(s) for s in subjects))[:limit]
