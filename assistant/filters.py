"""Metadata filters on retrieval: document kind, source, date range. One object, two renderings:
a Chroma `where` clause for the vector store and a predicate for the lexical index."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace


def date_number(value: str) -> int:
    """'2024-01-26' → 20240126 (a partial date counts from its start); '' → 0."""
    digits = "".join(ch for ch in value if ch.isdigit())[:8]
    return int(digits.ljust(8, "0")) if len(digits) >= 4 else 0


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
        high = None
        if self.date_to:
            high = date_number(self.date_to)
            high += {4: 1231, 7: 31}.get(len(self.date_to), 0)  # a year or month includes its end
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
        low, high = self._bounds()
        if low is not None:
            clauses.append({"date_number": {"$gte": low}})
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
        number = int(metadata.get("date_number", 0))
        if low is not None and number < low:
            return False
        return high is None or number <= high


NO_FILTER = SearchFilter()


def cleared(search_filter: SearchFilter, classifications: tuple[str, ...] | None) -> SearchFilter:
    """`search_filter`, restricted to what a user who may see `classifications` may see."""
    return replace(search_filter, classifications=classifications)
