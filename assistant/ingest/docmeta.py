"""A document's own title and date, read from its text.

Date rule, in order of preference (first match wins; ISO `YYYY-MM-DD`):
1. the date it was made law: "Assented to on 8 November 2019", "received the assent
   of the President on the 11th August, 2023", an act's dated line "[11th August, 2023.]",
   a regulation's "of 27 April 2016";
2. the date it says it was published: "Published for Home Office staff on 04 February 2025",
   "Published in Kenya Gazette ... on 15 November 2019";
3. the year in its title ("Constitution of Kenya, 2010" -> "2010");
4. otherwise empty. A PDF's CreationDate/ModDate is never used: in these files it is the
   day the PDF was generated or printed (FOP renders of 2019 and 2026, a browser print of
   2025-10-24), not the day the text was made.
"""

from __future__ import annotations

import datetime as dt
import re

_DAY = r"(\d{1,2})(?:st|nd|rd|th)?\s+([A-Z][a-z]+),?\s+(\d{4})"
_MADE = [
    re.compile(r"[Aa]ssented to on\s+(?:the\s+)?" + _DAY),
    re.compile(r"received the assent of the President on\s+(?:the\s+)?" + _DAY),
    re.compile(r"[Dd]ate of assent:?\s+(?:the\s+)?" + _DAY),
    re.compile(r"^\[" + _DAY + r"\.?\]$", re.M),
    re.compile(r"^(?:of\s+)" + _DAY + r"$", re.M),
]
_PUBLISHED = [
    re.compile(r"[Pp]ublished (?:for [A-Za-z ]{3,40} |in [A-Za-z ]{3,40}.{0,40}? )?on\s+(?:the\s+)?" + _DAY),
]
_TITLE_YEAR = re.compile(r",?\s+((?:19|20)\d{2})\)?$")
_LEGAL_TITLE = re.compile(
    r"^(THE\s+)?([A-Z][A-Z ,'()&-]*\s)?(ACT|CONSTITUTION|REGULATION|CODE|RULES|ORDINANCE|DECREE)\b[A-Z0-9 ,()/.-]*$")
_NAMED_LAW = re.compile(
    r"^(?:The\s+)?[A-Z][A-Za-z()'’&,\- ]{3,120}\b(?:Act|Ordinance|Order|Regulations?|Rules|Code|Constitution),?\s+(?:19|20)\d{2}$")
_SHORT_TITLE = re.compile(r"(?:may|shall) be (?:called|cited as),?\s+(?:the\s+)?([A-Z][^.;:]{3,120}?,?\s+(?:19|20)\d{2})\b")
_COLLECTION = re.compile(r"^LAWS OF ([A-Z][A-Z ]+)$")
_FILE_NAME = re.compile(r"\.(docx?|pdf|html?|txt|odt|rtf)$", re.I)


def _iso(day: str, month: str, year: str) -> str | None:
    try:
        return dt.datetime.strptime(f"{day} {month[:3]} {year}", "%d %b %Y").date().isoformat()
    except ValueError:
        return None


def document_date(text: str, title: str = "") -> str:
    """The document's own date from its opening text (see the module docstring); "" when unknown."""
    for patterns in (_MADE, _PUBLISHED):
        for pattern in patterns:
            for match in pattern.finditer(text):
                if found := _iso(*match.groups()[-3:]):
                    return found
    if match := _TITLE_YEAR.search(title):
        return match.group(1)
    return ""


def legal_title(lines: list[str]) -> str:
    """The first line that reads as the name of a law ("THE DIGITAL PERSONAL DATA PROTECTION ACT, 2023"),
    with its jurisdiction when a "LAWS OF KENYA" line comes before it; "" when there is none."""
    jurisdiction = ""
    for line in lines:
        if match := _COLLECTION.match(line):
            jurisdiction = match.group(1).title()
        elif _LEGAL_TITLE.match(line) and len(line.split()) <= 14 and not re.search(r"\bTHIS\b", line) \
                and not re.fullmatch(r"(?:(?:THE|AN|A)\s+)?[A-Z]+\W*", line):
            return f"{line} ({jurisdiction})" if jurisdiction and jurisdiction.upper() not in line else line
    return ""


def named_law(lines: list[str]) -> str:
    """The first line that names a law in ordinary case with its year ("Prevention and Control of Human
    Trafficking Ordinance, 2002"); "" when there is none."""
    return next((line for line in lines if _NAMED_LAW.match(line) and len(line.split()) <= 16), "")


def short_title(text: str) -> str:
    """The name a statute gives itself: "This Act may be called the Customs Act, 1969" -> "The Customs Act, 1969"."""
    match = _SHORT_TITLE.search(" ".join(text.split()))
    return f"The {match.group(1)}" if match else ""


def usable_metadata_title(title: str | None, file_stem: str) -> str:
    """A metadata title unless it is only a file name ("Applications from overstayers.docx") or a
    fragment too short to name anything ("THE")."""
    title = (title or "").strip()
    if len(title) < 4 or _FILE_NAME.search(title) or title.lower() == file_stem.lower():
        return ""
    return title
