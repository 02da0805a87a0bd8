"""What the index stores per passage: a chunk, and the schema version of what is stored with it."""

from __future__ import annotations

from dataclasses import dataclass

# Bump when what is stored per chunk changes: documents indexed under another schema are re-indexed.
INDEX_SCHEMA = 7  # 7: tables stored as row statements under their own sections, numbered provisions as sections; 3: date_end_number (dates may be ranges); 4: page_end (a passage may cross a page break); 5: sentence vectors and entities; 6: sentence vectors pooled from the passage pass


@dataclass(frozen=True)
class Chunk:
    id: str
    text: str
    """The passage itself, as quoted in citations."""
    embed_text: str
    """What is embedded: the document title and section heading, then the passage."""
    metadata: dict


def pages_label(page: int | None, page_end: int | None = None) -> str:
    """"p. 82", or "pp. 112–115" for a passage that crosses a page break; "" without a page."""
    if not page:
        return ""
    if page_end and page_end != page:
        return f"pp. {page}–{page_end}"
    return f"p. {page}"


def location(section: str, page: int | None = None, page_end: int | None = None) -> str:
    """Where a passage is, as citations read: "Article 83 — General conditions ..., p. 82"."""
    return ", ".join(part for part in (section, pages_label(page, page_end)) if part)
