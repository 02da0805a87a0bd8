"""Plain-text clean-up shared by the loaders: Unicode normalisation, words hyphenated
at line ends, contents (dot-leader) lines, and a readability score for text that a
legacy font encoding has turned into garbage."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

_SPACES = re.compile(r"[ \t\u00a0\u2000-\u200b]+")
_DOT_LEADER = re.compile(r"(?:\.\s*){5,}\s*\(?[\divxlcIVXLC]+\)?\s*$|(?:…\s*){3,}\s*\d+\s*$")
_SPLIT_HYPHEN = re.compile(r"\b([^\W\d_]+)-\s+([^\W\d_]+)")
_LATIN_VOWELS = set("aeiouyAEIOUYàâäéèêëîïôöùûüÿ")
_KEEP_AFTER_HYPHEN = {"and", "or", "to", "nor"}


def normalise(text: str) -> str:
    """NFKC (ligatures "ﬁ" -> "fi", full-width forms), soft hyphens out, spaces collapsed."""
    text = unicodedata.normalize("NFKC", text).replace("\u00ad", "")
    return _SPACES.sub(" ", text).strip()


def is_contents_line(line: str) -> bool:
    """A table-of-contents entry: a title, a run of leader dots, then a page number."""
    return bool(_DOT_LEADER.search(line))


def vocabulary(texts: Iterable[str]) -> set[str]:
    """Lower-cased words and hyphenated compounds as they occur within lines of the document."""
    words: set[str] = set()
    for text in texts:
        for token in text.split():
            token = token.strip(".,;:()[]\"'“”‘’—–").lower()
            if token:
                words.add(token)
    return words


def join_hyphenated(first: str, second: str, known: set[str]) -> str:
    """Join two pieces of a word that a line break split at a hyphen.

    "regu" + "lation" -> "regulation" when the document uses "regulation" elsewhere;
    a genuine compound ("Inspector" + "General", "inter" + "dependent") keeps its hyphen.
    """
    joined = first + second
    if joined.lower() in known and f"{first}-{second}".lower() not in known and second[:1].islower():
        return joined
    return f"{first}-{second}"


def rejoin_hyphens(text: str, known: set[str]) -> str:
    """Repair "word- word" left where a line break followed a hyphen (see `join_hyphenated`)."""
    def repair(match: re.Match) -> str:
        first, second = match.group(1), match.group(2)
        if second.lower() in _KEEP_AFTER_HYPHEN:  # "pre- and post-processing"
            return match.group(0)
        return join_hyphenated(first, second, known)

    return _SPLIT_HYPHEN.sub(repair, text)


def join_lines(lines: list[str], known: set[str]) -> str:
    """Join wrapped lines into one paragraph, rejoining words hyphenated at line ends."""
    out = ""
    for line in lines:
        line = line.strip()
        if not line:
            continue
        match = re.search(r"([^\W\d_]+)-$", out)
        nxt = re.match(r"([^\W\d_]+)", line)
        if match and nxt:
            head = out[: match.start()]
            out = head + join_hyphenated(match.group(1), nxt.group(1), known) + line[nxt.end():]
        else:
            out = f"{out} {line}" if out else line
    return rejoin_hyphens(out, known)


def _word_shaped(token: str) -> bool:
    """A token that reads as a word: letters only (after outer punctuation), and for Latin
    script a vowel and no upper-case letter after a lower-case one ("gS", "ubZ" are not)."""
    core = token.strip(".,;:!?()[]{}\"'“”‘’—–-")
    if not core or not all(c.isalpha() or c in "'’" or unicodedata.category(c).startswith("M") for c in core):
        return False
    if core.isascii():
        if not (_LATIN_VOWELS & set(core)) and len(core) > 1:
            return False
        if re.search(r"[a-z][A-Z]", core):
            return False
    return True


def readability(text: str) -> tuple[float, int]:
    """(share of word-shaped tokens among tokens that contain a letter, number of such tokens)."""
    tokens = [t for t in text.split() if any(c.isalpha() for c in t)]
    if not tokens:
        return 1.0, 0
    return sum(_word_shaped(t) for t in tokens) / len(tokens), len(tokens)


def is_unreadable(text: str, min_tokens: int = 12, threshold: float = 0.5) -> bool:
    """True for text that does not read as words, e.g. Hindi typed in a legacy font
    ("vlk/kkj.k izkf/kdkj ls izdkf'kr"); too little text is never judged."""
    share, count = readability(text)
    return count >= min_tokens and share < threshold
