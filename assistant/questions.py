"""What a question asks for: the kind of answer expected and its key terms."""

from __future__ import annotations

import re
from dataclasses import dataclass

STOPWORDS = frozenset(
    """a about above after again against all am an and any are as at be because been before being
    below between both but by can could did do does doing down during each few for from further had
    has have having he her here hers him his how i if in into is it its itself just me more most my
    no nor not of off on once only or other our out over own same she should so some such than that
    the their them then there these they this those through to too under until up very was we were
    what when where which while who whom whose why will with would you your yours tell give list name
    please know say said describe explain kind sort there's what's who's anything something also
    did does do main exactly currently many much year date day month law act see saw seen happen happened learn learned
    show showed""".split()
)
_IRREGULAR = {"led": "lead", "met": "meet", "took": "take", "began": "begin", "held": "hold", "saw": "see",
              "chaired": "chair", "chairs": "chair", "chairing": "chair", "chairperson": "chair",
              "heads": "head", "headed": "head", "leads": "lead", "leading": "lead", "seen": "see"}
_WORD = re.compile(r"[A-Za-z][A-Za-z0-9'’-]*|\d+(?:[.,]\d+)*")
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
_LIST = re.compile(r"\b(?:which|what) (?:\w+ )?(?!(?:does|was|has|is)\b)\w{3,}s\b|\b(?:list|name all|who were|what were|which were|what are)\b", re.I)


def stem(word: str) -> str:
    """A light suffix stemmer: enough to match chaired/chair, visits/visit, agencies/agency."""
    word = word.lower().replace("’", "'")
    word = re.sub(r"'s?$", "", word)
    if word in _IRREGULAR:
        return _IRREGULAR[word]
    for suffix, replacement, min_len in (("ies", "y", 5), ("sses", "ss", 5), ("ing", "", 6), ("ed", "", 5), ("es", "", 5), ("s", "", 4)):
        if word.endswith(suffix) and len(word) >= min_len and not word.endswith("ss"):
            word = word[: -len(suffix)] + replacement
            break
    if len(word) > 4 and word.endswith("e"):
        word = word[:-1]
    return word


def tokens(text: str) -> list[str]:
    """The words and numbers of `text`, in order (one-letter words dropped)."""
    return [w for w in _WORD.findall(text) if len(w) > 1]


def terms(text: str) -> set[str]:
    """Stemmed content words of `text` (stopwords dropped)."""
    return {stem(w) for w in tokens(text) if w.lower() not in STOPWORDS}


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
_GENERIC_FOCUS = frozenset(stem(w) for w in """body bodies agency agencies organisation organization official
    officials person people date year day month number figure total amount law act place country kind type thing role
    position purpose name names point points way ways reason main first last role status money time
    cost price funding""".split())
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
