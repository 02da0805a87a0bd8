"""Where pieces of a text (sentences, chunks) stand in it, whatever whitespace they lost."""

from __future__ import annotations

from collections.abc import Iterable


def locate(text: str, pieces: Iterable[str]) -> list[tuple[int, int] | None]:
    """Where each piece occurs in `text`, searching on from the previous one and ignoring
    whitespace: `(start, end)` offsets into `text`, or None for a piece not found."""
    kept = [i for i, char in enumerate(text) if not char.isspace()]
    squashed = "".join(text[i] for i in kept)
    found: list[tuple[int, int] | None] = []
    cursor = 0
    for piece in pieces:
        key = "".join(piece.split())
        at = squashed.find(key, cursor) if key else -1
        if at < 0:
            found.append(None)
            continue
        cursor = at + len(key)
        found.append((kept[at], kept[cursor - 1] + 1))
    return found
