"""Metadata filters on retrieval: document kind, source, date range. One object, two renderings:
a Chroma `where` clause for the vector store and a predicate for the lexical index."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace


def _day_number(value: str, last: bool) -> int:
    digits = "".join(ch for ch in value if ch.isdigit())[:8]
    if len(digits) < 4:
        return 0
    number = int(digits.ljust(8, "0"))
    return number + {4: 1231, 6: 31}.get(len(digits), 0) if last else number  # a year or month includes its end


def date_number(value: str) -> int:
    """The first day a date covers: '2024-01-26' → 20240126, '2024-01' → 20240100; of a range
    'start/end' ('2024-01-22/2024-01-26', ISO 8601), its start; '' → 0."""
    return _day_number(value.split("/")[0], last=False)


def date_end_number(value: str) -> int:
    """The last day a date covers: '2024-01-26' → 20240126, '2024-01' → 20240131, '2024' → 20241231;
    of a range 'start/end', its end; '' → 0."""
    return _day_number(value.split("/")[-1], last=True)


def _checked_date(value: str | None, name: str) -> str | None:
    if not value:
        return None
    try:
        dt.date.fromisoformat(value if len(value) == 10 else f"{value}-01"[:10] if len(value) == 7 else f"{value}-01-01")
    except ValueError:
        raise ValueError(f"{name} must be a date like 2024-01-26, 2024-01 or 2024, got {value!r}") from None
    return value


@dataclass(frozen=True)
class SearchFilter:
    kinds: tuple[str, ...] = ()
    sources: tuple[str, ...] = ()
    date_from: str | None = None
    date_to: str | None = None
    classifications: tuple[str, ...] | None = None
    """The labels the asking user may see; None: no restriction (the highest clearance)."""

    def __post_init__(self):
        object.__setattr__(self, "date_from", _checked_date(self.date_from, "the start date"))
        object.__setattr__(self, "date_to", _checked_date(self.date_to, "the end date"))

    @property
    def empty(self) -> bool:
        return not (self.kinds or self.sources or self.date_from or self.date_to) and self.classifications is None

    def _bounds(self) -> tuple[int | None, int | None]:
        low = date_number(self.date_from) if self.date_from else None
        high = date_end_number(self.date_to) if self.date_to else None
        return low, high

    def where(self) -> dict | None:
        """The Chroma `where` clause (None when nothing is filtered)."""
        clauses: list[dict] = []
        if self.kinds:
            clauses.append({"kind": {"$in": list(self.kinds)}})
        if self.sources:
            clauses.append({"source": {"$in": list(self.sources)}})
        if self.classifications is not None:
            clauses.append({"classification": {"$in": list(self.classifications) or ["\u0000none"]}})
        low, high = self._bounds()  # a document's dates [date_number, date_end_number] must overlap them
        if low is not None:
            clauses.append({"date_end_number": {"$gte": low}})
        if high is not None:
            clauses.append({"date_number": {"$lte": high}})
        if not clauses:
            return None
        return clauses[0] if len(clauses) == 1 else {"$and": clauses}

    def admits(self, metadata: dict) -> bool:
        """The same test in Python, for the lexical index."""
        if self.kinds and metadata.get("kind") not in self.kinds:
            return False
        if self.sources and metadata.get("source") not in self.sources:
            return False
        if self.classifications is not None and metadata.get("classification") not in self.classifications:
            return False
        low, high = self._bounds()
        start = int(metadata.get("date_number", 0))
        if low is not None and int(metadata.get("date_end_number", start)) < low:
            return False
        return high is None or start <= high


NO_FILTER = SearchFilter()


def cleared(search_filter: SearchFilter, classifications: tuple[str, ...] | None) -> SearchFilter:
    """`search_filter`, restricted to what a user who may see `classifications` may see."""
    return replace(search_filter, classifications=classifications)
