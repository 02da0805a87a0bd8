"""What a question asks for: the kind of answer expected and its key terms."""

from __future__ import annotations

import re
from dataclasses import dataclass

from assistant.config.parameters import parameters
from assistant.text.terms import STOPWORDS, stem, terms

_YEAR = re.compile(r"\b(?:1[89]\d\d|20\d\d)\b")
_MONTH = re.compile(r"\b(?:January|February|March|April|May|June|July|August|September|October|November|December)\b")
_NUMBER = re.compile(r"\d|\b(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|dozen|hundred|thousand|million|billion)\b", re.I)
_LAW = re.compile(r"\b(?:Act|Acts|Law|Ordinance|Regulations?|Constitution|Cap\.?|section|sections)\b")
_PROPER = re.compile(r"(?<!^)(?<![.!?]\s)\b(?:[A-Z][a-z]+|[A-Z]{2,})\b")

_EXPECTS = (
    ("law", re.compile(r"\b(?:under|by) (?:which|what) (?:law|act|legislation|statute)|\b(?:which|what) (?:law|act|legislation|statute)|legal basis", re.I)),
    ("date", re.compile(r"^\s*when\b|\bwhen (?:did|was|were|is|does)\b|\b(?:what|which) (?:year|date|day|month)\b|\bsince when\b|\bhow long ago\b", re.I)),
    ("number", re.compile(r"\bhow (?:many|much|long|large|big|often)\b|\bwhat (?:number|percentage|share|fee|amount|volume|figure|total|tonnage)\b|\bwhat was the (?:fee|number|total|figure|amount)\b", re.I)),
    ("who", re.compile(r"^\s*(?:who|whom|whose)\b|\bwho (?:is|was|were|are|led|leads|chairs|chaired|heads|met|hosted)\b|\b(?:which|what) (?:official|officials|person|people|agency|agencies|body|bodies|organi[sz]ations?|ministry|ministries|institutions?|president|presidents)\b", re.I)),
    ("place", re.compile(r"^\s*where\b|\bwhere (?:is|was|were|did|does)\b|\b(?:which|what) (?:city|town|place|places|port|ports|airport|border points?|sites?|crossings?|locations?)\b", re.I)),
)
# What the learned answerer is told a question asks for (a superset of `_EXPECTS`, first match wins).
ASKS = ("section", "definition", "yes-no", "law", "date", "number", "who", "place", "list", "other")
_ASKS = (
    ("section", re.compile(r"\b(?:which|what|under which|under what|in which) (?:section|article|chapter|part|schedule|"
                           r"clause|regulation|rule|paragraph|provision)s?\b", re.I)),
    ("definition", re.compile(r"\bdefin(?:e|es|ed|ition)\b|\bwhat (?:is|are) (?:meant|understood) by\b|\bwhat does .{1,60}"
                              r" mean\b|\bmeaning of\b|^\s*what (?:is|are) an? [\w'’ -]{1,40}\?$", re.I)),
    ("yes-no", re.compile(r"^\s*(?:is|are|can|could|may|might|must|shall|does|do|did|will|would|should|has|have|had|was|were)\b",
                          re.I)),
)


def asks_for(question: str) -> str:
    """One of ASKS: the unit, definition or yes/no asked for, else the kind of `_EXPECTS`, a list, or other."""
    kind = next((kind for kind, pattern in _ASKS if pattern.search(question)), None)
    if kind:
        return kind
    expects = next((kind for kind, pattern in _EXPECTS if pattern.search(question)), None)
    return expects or ("list" if _LIST.search(question) else "other")


_LIST = re.compile(r"\b(?:which|what) (?:\w+ )?(?!(?:does|was|has|is)\b)\w{3,}s\b|\b(?:list|name all|who were|what were|which were|what are)\b", re.I)


@dataclass(frozen=True)
class QuestionProfile:
    question: str
    expects: str | None
    key_terms: frozenset[str]
    wants_list: bool
    years: frozenset[str]
    """Years the question names: an answer about another year does not answer it."""
    focus: str | None = None
    """The stemmed head noun of what is asked ("fee" in "What was the eTA fee?"), when it is specific."""

    def admits(self, sentence: str) -> bool:
        """Whether `sentence` holds the kind of answer asked for, about the years asked about."""
        return holds_expected(self.expects, sentence) and self.years <= set(_YEAR.findall(sentence))


def analyse(question: str) -> QuestionProfile:
    expects = next((kind for kind, pattern in _EXPECTS if pattern.search(question)), None)
    return QuestionProfile(
        question, expects, frozenset(terms(question)), bool(_LIST.search(question)),
        frozenset(_YEAR.findall(question)), focus_of(question),
    )


_FOCUS_PATTERNS = (
    re.compile(r"^\s*how (?:many|much) ([a-z][\w-]*)", re.I),
    re.compile(
        r"^\s*(?:what|which)\s+(?:is|was|are|were)\s+(?:the\s+)?(?:[\w-]+['’]s\s+)?((?:[\w-]+\s+){0,4}?[\w-]+?)"
        r"(?=\s+(?:of|for|in|at|on|after|before|during|like|that|when|under|by|to|with|from|between)\b|\s*\?|\s*$)",
        re.I,
    ),
)
# Head nouns that say what kind of answer is wanted rather than what it is about.
_GENERIC_FOCUS = frozenset(stem(w) for w in parameters()["words"]["generic_focus"])
_NOT_NOUNS = frozenset({"did", "does", "do", "is", "was", "were", "are", "has", "have", "can", "will", "would", "should"})


def focus_of(question: str) -> str | None:
    """The specific head noun a what/which/how-many question asks about, stemmed; None when unclear."""
    for pattern in _FOCUS_PATTERNS:
        match = pattern.search(question)
        if match:
            word = match.group(1).split()[-1].lower()
            if word in STOPWORDS or word in _NOT_NOUNS:
                return None
            focus = stem(word)
            return None if focus in _GENERIC_FOCUS else focus
    return None


def holds_expected(expects: str | None, sentence: str) -> bool:
    """Whether `sentence` contains the kind of thing the question asks for."""
    if expects == "date":
        return bool(_YEAR.search(sentence) or _MONTH.search(sentence))
    if expects == "number":
        return bool(_NUMBER.search(sentence))
    if expects == "law":
        return bool(_LAW.search(sentence))
    if expects in ("who", "place"):
        return bool(_PROPER.search(sentence))
    return True


_COMPOUND = re.compile(
    r",?\s+and\s+(?=(?:who|whom|which|what|when|where|how|why|under|to which|over which|in which|from which)\b)", re.I
)


def split_compound(question: str) -> list[str]:
    """"When was X launched, and who chairs Y?" → two questions; a simple question stays whole.

    A part that names no subject of its own keeps the words of the part before it.
    """
    parts = [p.strip(" ,?") for p in _COMPOUND.split(question) if p.strip(" ,?")]
    if len(parts) < 2:
        return [question]
    result = [parts[0] + "?"]
    for part in parts[1:]:
        own = terms(part)
        result.append(f"{part}?" if len(own) >= 2 else f"{part} ({parts[0]})?")
    return result
