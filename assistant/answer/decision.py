"""The refusals that need no model: nothing relevant was found (no passage holds any of the question's terms, or
the best holds little of them and stage 1 doubts its best sentence), the closest passage is about another year,
country or Act than the question names, or the kind of answer asked for (a date, a duration, an amount, a share, a
count) stands in no sentence of the composed answer. Each settles the answer as a refusal, with its reason;
otherwise the trained decision (stage 2, calibrated) judges whether the composed answer answers at all.
"""

from __future__ import annotations

from assistant.answer.constraints import Mismatch
from assistant.answer.sentence_features import SUBTYPES, Candidates, heading_of
from assistant.config.parameters import parameters

NOT_FOUND, ANOTHER, NOT_STATED = "not found", "about another", "not stated"
_P = parameters()["answering"]


def relevant(found: Candidates, best: int) -> bool:
    """Whether the best candidate's passage holds at least `relevant_min_overlap` of the question's IDF-weighted
    terms."""
    return found.column("idf_overlap_passage")[best] >= _P["relevant_min_overlap"]


def nothing_relevant(found: Candidates, best: int, score: float) -> bool:
    """No retrieved passage holds any of the question's terms, or the best candidate's passage is not `relevant`
    and stage 1 scores that candidate below `relevant_min_score` (stage 1 ranks sentences against each other, so
    among a few unrelated ones its best may still score high)."""
    if not found.column("idf_overlap_passage").any():
        return True
    return not relevant(found, best) and score < _P["relevant_min_score"]


def doubted(found: Candidates, best: int) -> str:
    """The reason to give when the trained decision doubts a composed answer: the passage does not state it, or,
    when the passage holds little of the question, nothing relevant was found."""
    return NOT_STATED if relevant(found, best) else NOT_FOUND


def another_subject(found: Candidates, best: int) -> Mismatch | None:
    """The first constraint of the question that the best candidate's passage breaks by naming another year,
    country or Act instead."""
    passage = found.passages[best]
    return next((m for m in found.constraints.check(passage.page_content, heading_of(passage)) if m.found), None)


def kind_absent(found: Candidates, indices: list[int]) -> bool:
    """Whether the question asks for a date, duration, amount, share or count that no chosen sentence holds."""
    if not indices or found.column("subtype")[indices[0]] == SUBTYPES.index("none"):
        return False
    return not found.column("holds_subtype")[indices].any()


def ruled_out(found: Candidates, best: int, indices: list[int], score: float) -> tuple[str, Mismatch | None] | None:
    """(reason, mismatch) when a rule refuses the composed answer led by candidate `best` (stage-1 `score`), else
    None. With little of the question in the passage, whatever rule refuses, nothing relevant was found."""
    if nothing_relevant(found, best, score):
        return NOT_FOUND, None
    mismatch = another_subject(found, best)
    if mismatch is None and not kind_absent(found, indices):
        return None
    if not relevant(found, best):
        return NOT_FOUND, None
    return (ANOTHER, mismatch) if mismatch is not None else (NOT_STATED, None)
