"""Structure from the text when a PDF has no outline: numbered provisions in their common forms become
sections, and the title comes from the text (a law's name, the name a statute gives itself, the first
heading-like line); checked on PDFs built on the fly and on the statutes in ../shared/devdocs."""

import re
from pathlib import Path

import pymupdf
import pytest

from assistant.ingest.pdf_loader import load_pdf
from assistant.ingest.provisions import FORMS, match_provision, provision_forms


@pytest.mark.parametrize("line, expected", [
    ("1. Short title.— (1) This Act may be called", ("1", "Short title", "(1) This Act may be called")),
    ("2. Definition.---In this Ordinance", ("2", "Definition", "In this Ordinance")),
    ("12.Title: the text", ("12", "Title", "the text")),
    ("6 [13A. Prohibition of assisting illegal entry.— (1) Whoever", ("13A", "Prohibition of assisting illegal entry", "(1) Whoever")),
    ("Section 12. Power to search", ("12", "Power to search", "")),
    ("Section 12", ("12", "", "")),
    ("(3) Review.— Any person aggrieved", ("3", "Review", "Any person aggrieved")),
])
def test_the_common_forms_of_a_numbered_provision(line, expected):
    provision = match_provision(line, list(FORMS))
    assert provision is not None and (provision.number, provision.title, provision.rest) == expected


@pytest.mark.parametrize("line", [
    "(1) The national symbols of the Republic are—",  # a sub-section: no full stop before its dash
    "2. In this Act, unless the context otherwise requires,—",
    "7. Police services, including—",
    "Section 5 of the Act provides that the Board shall meet",
    "5.2.2.1.1. Enquiries:",
    "3. The Board shall meet every month.",
])
def test_what_is_not_a_provision(line):
    assert match_provision(line, list(FORMS)) is None


def test_a_title_in_bold_ends_at_its_full_stop():
    provision = match_provision("13B. Prohibition of employ an illegal entrant. No person shall", ["numbered"],
                                lead="13B. Prohibition of employ an illegal entrant.")
    assert (provision.number, provision.title, provision.rest) == ("13B", "Prohibition of employ an illegal entrant",
                                                                   "No person shall")
    assert match_provision("13B. Prohibition of employ an illegal entrant. No person shall", ["numbered"]) is None


def test_a_form_counts_only_when_the_document_uses_it_three_times():
    assert provision_forms(["1. Note: see the annex.", "The rest is prose."]) == []
    assert provision_forms([f"{n}. Title {n}.— text" for n in range(1, 4)] + ["(1) Scope.— a", "(2) Fees.— b",
                                                                             "(3) Appeals.— c"]) == ["numbered"]


def _pdf(lines: list[tuple[str, bool]]) -> bytes:
    """A page in the base-14 Helvetica (no em dash in it: the dashes are hyphens, as typed statutes often have)."""
    document = pymupdf.open()
    page = document.new_page()
    y = 80
    for text, bold in lines:
        page.insert_text((72, y), text, fontsize=11, fontname="hebo" if bold else "helv")
        y += 18
    return document.tobytes()


@pytest.mark.parametrize("provisions", [
    ["1. Short title.-- These rules may be called the border rules.", "2.Definitions: In these rules a post is a post.",
     "3. Duties of officers.--- An officer shall keep a register."],
    ["Section 1. Short title", "Section 2. Definitions", "Section 3. Duties of officers"],
    ["(1) Short title.-- These rules may be called the border rules.", "(2) Definitions.- In these rules a post is a post.",
     "(3) Duties of officers.--- An officer shall keep a register."],
], ids=["numbered", "named", "bracketed"])
def test_numbered_provisions_become_sections(provisions):
    lines = [("Handbook of the border posts", True), ("Issued for the officers at the posts.", False)]
    for provision in provisions:
        lines += [(provision, False), ("The officer in charge applies it at every post.", False)]
    meta, sections = load_pdf(_pdf(lines), Path("handbook.pdf"))
    assert meta["title"] == "Handbook of the border posts", "the first heading-like line, with no metadata title"
    assert [s.heading for s in sections[-3:]] == ["Section 1 — Short title", "Section 2 — Definitions",
                                                   "Section 3 — Duties of officers"]
    assert all(s.text.endswith("The officer in charge applies it at every post.") for s in sections[-3:])


STATUTES = {
    "ata": ("THE ANTI-TERRORISM ACT, 1997",
            [str(n) for n in range(1, 8)] + ["7A", "7B"] + [str(n) for n in range(8, 40)] + ["39A", "40"]),
    "foreigners": ("THE FOREIGNERS ACT, 1946",
                   [str(n) for n in range(1, 14)] + ["13A", "13B", "14", "14A", "14B", "14C", "14D", "15", "16", "17"]),
    "exit": ("THE EXIT FROM PAKISTAN (CONTROL) ORDINANCE, 1981", ["1", "2", "3", "4", "5"]),
    "trafficking": ("Prevention and Control of Human Trafficking Ordinance, 2002", [str(n) for n in range(1, 13)]),
    "customs": ("The Customs Act, 1969", ["1"]),
}


@pytest.mark.parametrize("name", list(STATUTES))
def test_each_statute_gets_its_title_and_a_section_per_numbered_provision(name, devdocs):
    """The expected numbers were read off each statute (its contents page, where it has one): every
    provision of the Act itself, in order, including those inserted later (13A) and those omitted (26)."""
    title, numbers = STATUTES[name]
    document = devdocs[name]
    assert document.title == title
    found = [m.group(1) for s in document.sections if (m := re.match(r"Section (\d+[A-Z]?) — \S", s.heading))]
    assert found[:len(numbers)] == numbers


def test_a_provision_with_nothing_under_it_keeps_its_section(devdocs):
    omitted = next(s for s in devdocs["ata"].sections if s.heading.startswith("Section 26 "))
    assert omitted.heading == "Section 26 — Omitted" and omitted.page == 9


def test_contents_page_with_numbers_in_the_margin_is_reported(devdocs):
    assert devdocs["exit"].skipped_pages == [(1, "table of contents")]
