"""The LLM draft of a briefing note (prompt `briefing`), verified bullet by bullet."""

from __future__ import annotations

from langchain_core.documents import Document

from assistant.answer.briefing import SECTION_QUESTIONS, Briefing, parse_bullets, verify_briefing
from assistant.answer.prompts import render
from assistant.answer.verification import CitationVerifier


def draft_with_llm(model, topic: str, passages: dict[str, list[Document]], verifier: CitationVerifier,
                   max_bullets: int = 4) -> Briefing | None:
    """The verified LLM note, or None when the model fails or writes nothing usable (the caller falls back)."""
    seen: dict[str, Document] = {}
    for group in passages.values():
        for passage in group:
            seen.setdefault(passage.metadata["chunk_id"], passage)
    sources = list(seen.values())[:14]
    numbered = [
        {"n": n, "title": p.metadata.get("title", ""), "section": p.metadata.get("section", ""), "text": p.page_content}
        for n, p in enumerate(sources, start=1)
    ]
    try:
        reply = model.invoke(render("briefing", topic=topic, passages=numbered, max_bullets=max_bullets,
                                    sections=[{"name": n, "question": q} for n, q in SECTION_QUESTIONS.items()]))
    except Exception:  # noqa: BLE001 - the extractive note stands in for a failing endpoint
        return None
    text = reply.content if isinstance(reply.content, str) else ""
    sections = {
        name: [b for b in bullets if all(1 <= n <= len(sources) for n in b.citations)]
        for name, bullets in parse_bullets(text).items()
    }
    if not any(sections.values()):
        return None
    briefing = verify_briefing(Briefing(topic, sections, sources, mode="llm"), verifier)
    return briefing if any(briefing.sections.values()) else None
