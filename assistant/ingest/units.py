"""How a legal text names its numbered units: "Article 31 — Privacy" in a text that speaks of
"this Article", "Section 5 — ..." in one that speaks of "this section"."""

from __future__ import annotations

import re


def unit_word(texts: list[str]) -> str:
    """"Article" or "Section" by how the text refers to its own units; "" when it does not."""
    text = " ".join(texts)
    articles = len(re.findall(r"\bthis Article\b", text))
    sections = len(re.findall(r"\bthis section\b", text, re.I))
    if max(articles, sections) < 3:
        return ""
    return "Article" if articles > sections else "Section"


def unit_heading(number: str, title: str, unit: str, schedule: str = "") -> str:
    """"Article 31 — Privacy"; "SIXTH SCHEDULE, 32. Pensions" inside a schedule; "4. Title" with no unit word."""
    title = title.strip().rstrip(".").strip()
    if schedule:
        return f"{schedule}, {number}. {title}".rstrip(". ")
    if unit:
        return f"{unit} {number} — {title}" if title else f"{unit} {number}"
    return f"{number}. {title}" if title else f"{number}."
