"""Acronyms defined in the text ("Jomo Kenyatta International Airport (JKIA)"), so that
an acronym and its expansion count as the same key terms."""

from __future__ import annotations

import re

from assistant.text.terms import terms

_DEFINITION = re.compile(r"\(([A-Z][A-Za-z]*[A-Z])\)")
_DEFINITION_ANY_INITIAL = re.compile(r"\(([A-Za-z][A-Za-z]*[A-Z])\)")  # also "Electronic Travel Authorisation (eTA)"
_LINKING = {"and", "of", "for", "the", "on", "in", "de"}


def _expansion(words: list[str], acronym: str) -> list[str] | None:
    """The words before "(ACR)" whose initials spell the acronym, if any."""
    letters = [c for c in acronym if c.isupper()]
    picked: list[str] = []
    for word in reversed(words[-(len(letters) * 2 + 2):]):
        clean = word.strip(",;:'\"’")
        if not clean:
            break
        if clean.lower() in _LINKING and picked:
            picked.append(clean)
            continue
        if not clean[0].isupper():
            break
        picked.append(clean)
        content = [w[0].upper() for w in picked if w.lower() not in _LINKING]
        every = [w[0].upper() for w in picked]
        if letters in (content[::-1], every[::-1]):
            return picked[::-1]
    return None


def find_acronyms(text: str, lowercase_initial: bool = False) -> dict[str, frozenset[str]]:
    """Stemmed acronym → stemmed terms of its expansion, for every definition in `text` (with
    `lowercase_initial`, also acronyms such as "eTA", spelled by the capitals after their first letter)."""
    found: dict[str, frozenset[str]] = {}
    for match in (_DEFINITION_ANY_INITIAL if lowercase_initial else _DEFINITION).finditer(text):
        acronym = match.group(1)
        words = _expansion(text[: match.start()].split(), acronym)
        if words:
            found[acronym.lower()] = frozenset(terms(" ".join(words)))
    return found


def with_equivalents(found_terms: set[str], acronyms: dict[str, frozenset[str]]) -> set[str]:
    """`found_terms` plus each acronym whose expansion is present, and each expansion whose acronym is."""
    result = set(found_terms)
    for acronym, expansion in acronyms.items():
        if acronym in found_terms:
            result |= expansion
        elif expansion and expansion <= found_terms:
            result.add(acronym)
    return result
