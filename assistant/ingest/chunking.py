"""Token-aware, sentence-aligned chunking that keeps each chunk's heading with it.

Chunks are packed by tiktoken count up to `target_tokens`; then every chunk is
checked against the embedding model's own word-piece window (heading included)
and split further if it would be cut. A table's passages hold whole rows, one row
statement a paragraph, each passage headed by the table's column header. Each chunk
records the pages its own text is on (`page`, `page_end`; 0 when the file has no
pages). Chunk ids hash the source and the text, so re-ingesting the same document
gives the same ids.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Callable

from assistant.index.chunks import INDEX_SCHEMA, Chunk
from assistant.ingest.documents import LoadedDocument, Section
from assistant.text.locate import locate
from assistant.text.sentences import split_sentences
from assistant.text.tokens import count_tokens


TABLE_ROW_BREAK = "\n\n"
"""Between the rows of a table's passage: a paragraph break, so a sentence splitter never joins two rows."""


def context_line(title: str, heading: str, limit: int = 120) -> str:
    """The heading line embedded with each passage (bounded, so the passage keeps room)."""
    title, heading = title[:limit], heading[:limit]
    return f"{title} — {heading}" if heading else title


def _words_split(sentence: str, fits: Callable[[str], bool], most_words: int = 512) -> list[str]:
    """Cut an over-long sentence at word boundaries into the longest pieces that fit (a binary
    search per piece: a defined term list can be one "sentence" of thousands of words)."""
    words = sentence.split()
    pieces, start = [], 0
    while start < len(words):
        low, high = 1, min(len(words) - start, most_words)
        while low < high:
            middle = (low + high + 1) // 2
            if fits(" ".join(words[start:start + middle])):
                low = middle
            else:
                high = middle - 1
        pieces.append(" ".join(words[start:start + low]))
        start += low
    return pieces


def _pack(sentences: list[str], fits: Callable[[str], bool], separator: str = " ") -> list[str]:
    """Sentences packed into the longest runs that fit; a sentence too long alone is cut at words."""
    chunks, current = [], []
    for sentence in sentences:
        if current and fits(separator.join(current + [sentence])):
            current.append(sentence)
            continue
        if current:
            chunks.append(separator.join(current))
        if fits(sentence):
            current = [sentence]
        else:
            *whole, current_piece = _words_split(sentence, fits)
            chunks.extend(whole)
            current = [current_piece]
    if current:
        chunks.append(separator.join(current))
    return chunks


def _pages(section: Section, texts: list[str]) -> list[tuple[int, int]]:
    """The first and last page of each chunk of a section (0, 0 without pages), found by where
    the chunk stands in the section's text; a chunk not found there (a list marker was dropped)
    lies between its neighbours."""
    if not section.page_starts:
        return [(section.page or 0, section.page_end or section.page or 0)] * len(texts)
    spans = locate(section.text, texts)
    pages = []
    for index, span in enumerate(spans):
        if span is None:
            before = next((s[1] for s in reversed(spans[:index]) if s), 0)
            after = next((s[0] for s in spans[index + 1:] if s), len(section.text))
            span = (before, max(before + 1, after))
        pages.append(section.pages_between(*span))
    return pages


class Chunker:
    """Split loaded documents into chunks that fit the embedding window.

    `count_word_pieces` is the embedding model's tokenizer count (the hard limit);
    tiktoken sets the softer target size.
    """

    def __init__(self, count_word_pieces: Callable[[str], int], window: int = 256, target_tokens: int = 160,
                 embedder: str = "torch"):
        self.count_word_pieces = count_word_pieces
        self.embedder = embedder
        self.window = window
        self.target_tokens = target_tokens

    def _section_chunks(self, title: str, section: Section) -> list[tuple[str, str, int, int]]:
        """(text, embedded text, first page, last page) of each chunk of a section."""
        header = context_line(title, section.heading)
        lead = f"{section.header}{TABLE_ROW_BREAK}" if section.header else ""
        if count_tokens(lead) > self.target_tokens // 2:  # a header too long to repeat is left to the first rows
            lead = ""

        def fits(text: str) -> bool:
            return (
                count_tokens(lead + text) <= self.target_tokens
                and self.count_word_pieces(f"{header}\n{lead}{text}") <= self.window
            )

        if section.header:
            texts = _pack(section.rows, fits, TABLE_ROW_BREAK)
        else:
            texts = _pack(split_sentences(section.text), fits)
        return [(lead + text, f"{header}\n{lead}{text}", page, page_end)
                for text, (page, page_end) in zip(texts, _pages(section, texts))]

    def split(self, document: LoadedDocument) -> list[Chunk]:
        chunks: list[Chunk] = []
        seen: Counter[str] = Counter()
        base = document.metadata()
        for section in document.sections:
            for text, embed_text, page, page_end in self._section_chunks(document.title, section):
                occurrence = seen[embed_text]
                seen[embed_text] += 1
                digest = hashlib.sha256(f"{document.source}\0{embed_text}\0{occurrence}".encode()).hexdigest()
                metadata = base | {
                    "section": section.heading,
                    "page": page,
                    "page_end": page_end,
                    "chunk_index": len(chunks),
                    "schema": INDEX_SCHEMA,
                    "embedder": self.embedder,
                }
                chunks.append(Chunk(id=digest[:32], text=text, embed_text=embed_text, metadata=metadata))
        for chunk in chunks:
            chunk.metadata["chunk_count"] = len(chunks)
        return chunks
