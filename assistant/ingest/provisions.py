"""Numbered provisions in a statute's text, for documents whose outline and type do not mark them.

The common forms: "12. Title.— text" (with "—", "--", "---" or ".-" after the title), "12.Title: text",
"Section 12. Title" on a line of its own, and "(12) Title.— text"; in the numbered form, a title set in
bold ends at its full stop ("13B. Prohibition of employ. text"), and an amendment's footnote mark may
come first ("6 [13A. Title.— text", "7[14. ..."). A form counts in a document only
when it occurs there at least `MIN_PROVISIONS` times, so a numbered list in prose is not taken for
provisions; "(12) Title.—" counts only where provisions are not numbered "12." (there it is a
sub-section).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

MIN_PROVISIONS = 3
MAX_TITLE_WORDS = 20
MAX_SECTION_LINE_WORDS = 16
_NOT_A_TITLE = re.compile(r"[,;]$|\b(namely|including|includes|following|means|that|whether|and|or|of|to|by|the)$"
                          r"|\bshall\b|\bmay\b", re.I)
"""How the opening words of a provision's text, broken off by a dash, end: "In this Act, ...,—", "..., including—"."""
_TITLE = r"([A-Z][^—–:]{1,150}?)"
_DASH = r"\s*\.\s*(?:[—–]+|-{1,3})\s*(.*)$"
"""A title's full stop and dash: ".—", ".--", ".---", ".-" (a sub-section's "includes—" has no full stop)."""
_COLON = r"\s*:\s*[-—–]*\s*(.*)$"
_AMENDMENT = r"(?:\d{1,3}\s*\[|\[)?"
_BOLD_TITLE = re.compile(r"^" + _AMENDMENT + r"(\d+[A-Z]{0,2})\s*\.\s*([A-Z][^—–:]{1,150}?)\s*[.:]?\s*[-—–]*$")
FORMS = {
    "numbered": re.compile(r"^" + _AMENDMENT + r"(\d+[A-Z]{0,2})\s*\.\s*" + _TITLE + f"(?:{_DASH}|{_COLON})"),
    "bracketed": re.compile(r"^\((\d+[A-Z]{0,2})\)\s*" + _TITLE + _DASH),
    "named": re.compile(r"^Section\s+(\d+[A-Z]{0,2})\b\s*[.:—–-]*\s*([A-Z][^.]{0,150}?)?\.?()$"),
}


@dataclass(frozen=True)
class Provision:
    """A provision's number and title, and the text that follows the title on its line."""

    number: str
    title: str
    rest: str


def match_provision(text: str, forms: Iterable[str], lead: str = "") -> Provision | None:
    """The provision that `text` opens, in one of `forms`; None when it opens none. `lead` is the
    line's leading bold text, which may hold the number and the title."""
    text, forms = text.strip(), list(forms)
    if "numbered" in forms and lead and text.startswith(lead) and (match := _BOLD_TITLE.match(lead)):
        title = match.group(2).strip(" .,")
        if len(title.split()) <= MAX_TITLE_WORDS and not _NOT_A_TITLE.search(match.group(2).strip()):
            return Provision(match.group(1), title, text[len(lead):].strip())
    for form in forms:
        match = FORMS[form].match(text)
        if match is None:
            continue
        raw = (match.group(2) or "").strip()
        rest = next((g for g in match.groups()[2:] if g is not None), "")
        number, title, rest = match.group(1), raw.strip(" .,"), rest.strip()
        if len(title.split()) > MAX_TITLE_WORDS or _NOT_A_TITLE.search(raw):
            continue
        if form == "named" and len(text.split()) > MAX_SECTION_LINE_WORDS:
            continue
        return Provision(number, title, rest)
    return None


def provision_forms(texts: list[str]) -> list[str]:
    """The forms of provision this document uses (see the module docstring)."""
    used = [form for form in FORMS if sum(match_provision(t, [form]) is not None for t in texts) >= MIN_PROVISIONS]
    if "numbered" in used and "bracketed" in used:
        used.remove("bracketed")
    return used
