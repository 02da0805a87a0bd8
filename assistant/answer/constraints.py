"""What a question pins its answer to: the years, countries and named instruments or bodies it names.

An answer drawn from a passage about another year, country, Act or body does not answer the
question, however close its words are ("the penalty under the Foreigners Act" is not answered
by the Customs Act's penalty). `Constraints.check` compares a question's constraints with a
passage and its headings, and says what is missing and what the passage names instead.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from assistant.text.places import countries_in
from assistant.text.terms import STOPWORDS, stem, tokens

_YEAR = re.compile(r"(?<![\d.,/-])(?:1[89]\d\d|20\d\d)(?![\d/-])")
_INSTRUMENT = re.compile(
    r"((?:[A-Z][\w’'()-]*\s+){0,6}?(?:Act|Ordinance|Regulation|Regulations|Rules|Order|Constitution|Code|Convention"
    r"|Directive|Bill|Policy|Strategy|Framework|Protocol|Report|Brief|Evaluation))\b(?:,?\s*((?:1[89]|20)\d\d))?")
_ACRONYM = re.compile(r"\b([A-Z][A-Za-z]*[A-Z]{1,}[A-Za-z]*)\b")
_LEADING = {"the", "a", "an", "under", "of", "in", "by", "does", "do", "is", "what", "which", "who", "how", "when",
            "according", "to", "can", "may", "must", "shall", "are", "was", "were"}


def _instrument_words(name: str) -> frozenset[str]:
    """The stemmed content words that identify an instrument ("Foreigners Act" -> {foreign, act})."""
    words = [w for w in tokens(name) if w.lower() not in STOPWORDS and w.lower() not in _LEADING]
    words = [w for w in words if not countries_in(w)]  # "Pakistan's Foreigners Act": the country is its own constraint
    return frozenset(stem(w) for w in words)


@dataclass(frozen=True)
class Mismatch:
    """What the question names that a passage does not: `kind` (year, country, instrument or name), what was
    asked, and what the passage names instead (empty when it names nothing of that kind)."""

    kind: str
    asked: str
    found: str = ""


@dataclass(frozen=True)
class Constraints:
    years: frozenset[str]
    countries: frozenset[str]
    instruments: tuple[tuple[str, frozenset[str]], ...]
    """(as written, its identifying stems) for each Act, Ordinance, report ... the question names."""
    acronyms: frozenset[str]

    @property
    def empty(self) -> bool:
        return not (self.years or self.countries or self.instruments or self.acronyms)

    def check(self, passage: str, heading: str) -> list[Mismatch]:
        """Every constraint the passage (with its document title and section heading) does not meet."""
        context = f"{heading}\n{passage}"
        found: list[Mismatch] = []
        years = set(_YEAR.findall(context))
        for year in sorted(self.years - years):
            found.append(Mismatch("year", year, ", ".join(sorted(years)[:3])))
        countries = countries_in(context)
        for country in sorted(self.countries - countries):
            found.append(Mismatch("country", country, ", ".join(sorted(countries)[:3])))
        stems = {stem(w) for w in tokens(context)}
        for written, words in self.instruments:
            if words and not words <= stems:
                title_instruments = [n for n, _ in instruments_in(heading)]
                found.append(Mismatch("instrument", written, title_instruments[0] if title_instruments else ""))
        upper = set(_ACRONYM.findall(context))
        for acronym in sorted(self.acronyms - upper):
            if acronym.lower() not in context.lower():
                found.append(Mismatch("name", acronym))
        return found


def instruments_in(text: str) -> list[tuple[str, frozenset[str]]]:
    """The Acts, Ordinances, reports ... `text` names, as written (trimmed) and by their identifying stems."""
    result = []
    for match in _INSTRUMENT.finditer(text):
        written = " ".join(w for w in match.group(1).split() if w.lower() not in _LEADING)
        words = _instrument_words(written)
        if len(words) >= 2:  # "the Act" alone names no particular Act
            result.append((written + (f", {match.group(2)}" if match.group(2) else ""), words))
    return result


def constraints_of(question: str) -> Constraints:
    """The years, countries, instruments and acronyms (bodies: "FIA", "BCOCC") a question names."""
    instruments = tuple(instruments_in(question))
    instrument_text = " ".join(name for name, _ in instruments)
    rest = _INSTRUMENT.sub(" ", question)  # "the Foreigners Act, 1946": the year names the Act, not the answer's year
    acronyms = frozenset(a for a in _ACRONYM.findall(question)
                         if a not in instrument_text and not countries_in(a) and len(a) >= 2)
    return Constraints(frozenset(_YEAR.findall(rest)), countries_in(question), instruments, acronyms)
