"""What the index stores per passage: a chunk, and the schema version of what is stored with it."""

from __future__ import annotations

from dataclasses import dataclass

# Bump when what is stored per chunk changes: documents indexed under another schema are re-indexed.
INDEX_SCHEMA = 4  # 3: date_end_number (dates may be ranges); 4: sentence vectors and entities


@dataclass(frozen=True)
class Chunk:
    id: str
    text: str
    """The passage itself, as quoted in citations."""
    embed_text: str
    """What is embedded: the document title and section heading, then the passage."""
    metadata: dict
