"""Suggested follow-up questions: other sections of the documents an answer cited."""

from __future__ import annotations

from assistant.answering import Answer
from assistant.store import KnowledgeStore


def suggest_followups(answer: Answer, store: KnowledgeStore, limit: int = 3) -> list[str]:
    if answer.refused or not answer.citations:
        return []
    cited_sections = {c.section for c in answer.citations}
    suggestions: list[str] = []
    for source in dict.fromkeys(c.source for c in answer.citations):
        for heading in store.sections(source):
            if heading in cited_sections or heading.lower().startswith("page "):
                continue
            lead = heading[0].lower() + heading[1:] if heading[1:2].islower() else heading
            question = f"What do the documents say about {lead}?"
            if question not in suggestions:
                suggestions.append(question)
            if len(suggestions) >= limit:
                return suggestions
    return suggestions
