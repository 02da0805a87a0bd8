"""A study visit's two sides, declared in a document's front matter and stored with each of its passages.

```yaml
visit:
  home: {name: Pakistan, adjective: Pakistani}   # the visitors, for whom the notes are written
  host: {name: Kenya, adjective: Kenyan}         # the country (or body) they visited
```

The briefing writer reads the sides from the index: it sets the host side's practices against what the documents
say of the home side, and reads "Lessons for Pakistan from ..." as a note for Pakistan. A new visit's documents
bring their own sides; nothing in the code or the parameters names a country.
"""

from __future__ import annotations

from dataclasses import dataclass

ROLES = ("home", "host")
MARK = "visit"
"""Passage metadata `visit: 1` marks the passages of documents that declare a visit (Chroma filters on it)."""


@dataclass(frozen=True)
class Side:
    """One side of a visit: its name ("Kenya") and the adjective that also names it ("Kenyan")."""

    name: str
    adjective: str = ""

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(word for word in (self.name, self.adjective) if word)


@dataclass(frozen=True)
class Visit:
    home: Side
    host: Side

    @property
    def sides(self) -> tuple[Side, Side]:
        return self.host, self.home

    def metadata(self) -> dict[str, str]:
        """The visit as passage metadata (Chroma keeps scalars only)."""
        return {MARK: 1} | {f"visit_{role}{suffix}": value for role, side in (("home", self.home), ("host", self.host))
                            for suffix, value in (("", side.name), ("_adjective", side.adjective))}

    @classmethod
    def from_metadata(cls, metadata: dict) -> Visit | None:
        """The visit a passage's metadata records, if any."""
        if not metadata.get("visit_home") or not metadata.get("visit_host"):
            return None
        return cls(*(Side(str(metadata[f"visit_{role}"]), str(metadata.get(f"visit_{role}_adjective", "")))
                     for role in ROLES))

    @classmethod
    def from_front_matter(cls, block) -> Visit:
        """The `visit:` block of a document's front matter; ValueError says what is wrong with it."""
        if not isinstance(block, dict) or set(block) != set(ROLES):
            raise ValueError("front matter `visit` must have exactly `home` and `host`, each with a `name`")
        sides = []
        for role in ROLES:
            side = block[role]
            side = {"name": side} if isinstance(side, str) else side
            if not isinstance(side, dict) or not str(side.get("name") or "").strip() or set(side) - {"name", "adjective"}:
                raise ValueError(f"front matter `visit.{role}` must be a name, or `name` with an optional `adjective`")
            sides.append(Side(str(side["name"]).strip(), str(side.get("adjective") or "").strip()))
        if sides[0].name == sides[1].name:
            raise ValueError("front matter `visit`: home and host must differ")
        return cls(*sides)
