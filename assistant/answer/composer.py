"""Compose the whole answer from scored candidate sentences: the best sentence, the list items or
table rows it leads into, the sentence it continues into, other sentences that hold the answer
too (each part of a multi-part question), never a sentence about the sources unless the question
asks about them, read in the documents' own order.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
from langchain_core.documents import Document

from assistant.answer.sentence_features import Candidates
from assistant.config.parameters import parameters
from assistant.text.terms import terms

_P = parameters()["answering"]


@dataclass(frozen=True)
class Quote:
    """One sentence of an answer, the passage it is quoted from, and the selector's score for it."""

    sentence: str
    passage: Document
    score: float
    position: int = 0
    """Its place among its passage's sentences."""


def quote_at(found: Candidates, scores: np.ndarray, index: int) -> Quote:
    return Quote(found.sentences[index], found.passages[index], float(scores[index]), found.positions[index])


def redundant(candidate, other) -> bool:
    """(Of two quotes: objects with `sentence` and `passage`.) Same sentence again, or a near-copy from the same
    document (another source may corroborate)."""
    if candidate.sentence == other.sentence:
        return True
    if candidate.passage.metadata.get("source") != other.passage.metadata.get("source"):
        return False
    a, b = terms(candidate.sentence), terms(other.sentence)
    return bool(a and b) and len(a & b) / min(len(a), len(b)) > _P["redundancy"]


def in_reading_order(chosen: list) -> list:
    """Keep the best passage first, but read sentences of one passage in their own order."""
    passages = list(dict.fromkeys(c.passage.metadata["chunk_id"] for c in chosen))
    position = {id(c): c.passage.page_content.find(c.sentence) for c in chosen}
    return sorted(chosen, key=lambda c: (passages.index(c.passage.metadata["chunk_id"]), position[id(c)]))


def allowed(found: Candidates) -> np.ndarray:
    """The candidates an answer may quote: a sentence about the sources ("no source found states ...") only when
    the question asks about the sources."""
    if found.column("question_about_sources").any():
        return np.ones(len(found.sentences), dtype=bool)
    return found.column("about_sources") == 0


_MARKER = re.compile(r"^\s*\((?:(\d{1,3}[A-Z]?)|([ivx]{1,5})|([a-z]{1,2}))\)")


def _level(sentence: str) -> int | None:
    """How deep a provision's marker sits: (1) 1, (a) 2, (i) 3; None without one."""
    match = _MARKER.match(sentence)
    if not match:
        return None
    return 1 if match.group(1) else 3 if match.group(2) else 2


def _following(found: Candidates, index: int) -> list[int]:
    """The list items (or rows) that the sentence at `index` leads into, in its passage, up to `max_items`: each
    next sentence that is an item, or that follows one still open ("...;"), until a provision of the lead's own
    level or above ("(2) ... (a) ... (b) ..." stops at "(3)")."""
    result = []
    chunk = found.passages[index].metadata["chunk_id"]
    is_item, lead_in = found.column("is_item"), found.column("lead_in")
    own = _level(found.sentences[index])
    previous = index
    for nxt in range(index + 1, min(index + 1 + _P["max_items"], len(found.sentences))):
        open_before = lead_in[previous] or found.sentences[previous].rstrip().endswith(";")
        if found.passages[nxt].metadata["chunk_id"] != chunk or not (is_item[nxt] or open_before):
            break
        level = _level(found.sentences[nxt])
        if own is not None and level is not None and level <= own:
            break
        result.append(nxt)
        previous = nxt
    return result


_CONTINUES = re.compile(r"^\s*(?:[a-z]|Provided\b|provided\b|but\b|unless\b|except\b)")


def _continuation(found: Candidates, index: int) -> list[int]:
    """The next sentence of the same passage when the sentence at `index` runs on into it (it opens in lower case,
    or with "Provided that", "unless", "except")."""
    nxt = index + 1
    if nxt < len(found.sentences) and found.passages[nxt].metadata["chunk_id"] == found.passages[index].metadata[
            "chunk_id"] and _CONTINUES.match(found.sentences[nxt]):
        return [nxt]
    return []


def compose(found: Candidates, scores: np.ndarray, best: int, wants_list: bool) -> list[int]:
    """The candidates (indices) that make the answer led by `best`, in reading order: its list items when it
    leads into a list, or the sentence it runs on into, then others the selector judges to hold the answer too."""
    chosen = [best]
    leads = found.column("lead_in")[best] or found.column("next_is_item")[best]
    chosen += _following(found, best) if leads or wants_list else []
    chosen += [i for i in _continuation(found, chosen[-1]) if i not in chosen]
    limit = len(chosen) + _P["max_sentences"] - 1 + (1 if wants_list else 0)
    permitted = allowed(found)
    floor = max(_P["extra_min_score"], scores[best] * _P["extra_ratio"])
    quotes = [quote_at(found, scores, i) for i in chosen]
    for i in np.argsort(-scores, kind="stable"):
        if len(chosen) >= limit or scores[i] < floor:
            break
        if i in chosen or not permitted[i]:
            continue
        candidate = quote_at(found, scores, int(i))
        if not any(redundant(candidate, other) for other in quotes):
            chosen.append(int(i))
            quotes.append(candidate)
    order = {id(q): i for q, i in zip(quotes, chosen)}
    return [order[id(q)] for q in in_reading_order(quotes)]
