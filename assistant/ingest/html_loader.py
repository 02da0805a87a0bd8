"""Load HTML into sections under its headings: h1-h4, and EUR-Lex's own title classes.

EUR-Lex Official Journal pages mark an article's number with `p.oj-ti-art` ("Article 83")
and its title with `p.oj-sti-art`; chapters and sections with `p.oj-ti-section-1/-2`;
recitals sit in `div.eli-subdivision` with ids `rct_N`. A section then reads
"Article 83 — General conditions for imposing administrative fines".
"""

from __future__ import annotations

import re
import warnings
from pathlib import Path

from assistant.ingest.docmeta import document_date, usable_metadata_title
from assistant.ingest.documents import DocumentError, Section
from assistant.ingest.textclean import normalise

_HEADINGS = ("h1", "h2", "h3", "h4")
_BLOCKS = ("p", "li", "pre", "blockquote", "dd", "dt", "td", "th", "figcaption")
_LABEL = re.compile(r"^\(?[0-9a-z]{1,4}\)$|^\d{1,3}\.$")
_SKIP_CLASSES = {"oj-hd-date", "oj-hd-lg", "oj-hd-ti", "oj-hd-oj", "oj-doc-ti", "oj-note"}


def _decode(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise DocumentError(f"not valid UTF-8 HTML (byte {exc.start})") from None


def _text(element) -> str:
    return normalise(element.get_text(" ", strip=True))


def _classes(element) -> set[str]:
    return set(element.get("class") or [])


def _append(paragraphs: list[str], text: str) -> None:
    """Add a paragraph; a bare label ("(1)", "(a)") set in its own cell joins the text after it."""
    if paragraphs and _LABEL.match(paragraphs[-1]):
        paragraphs[-1] = f"{paragraphs[-1]} {text}"
    else:
        paragraphs.append(text)


def _eurlex_title(lines: list[str]) -> str:
    """"REGULATION (EU) 2016/679 OF ... COUNCIL (General Data Protection Regulation)": the act and its short name."""
    short = re.search(r"\(([^()]*(Regulation|Directive|Decision))\)\s*$", " ".join(lines[:3]))
    return f"{lines[0]} ({short.group(1)})" if short else lines[0]


def _eurlex_sections(soup) -> list[Section]:
    """Preamble, one section per recital, then one per article (numbered, titled)."""
    sections: list[Section] = []
    heading, paragraphs = "Preamble", []

    def flush() -> None:
        if paragraphs:
            sections.append(Section(heading, "\n".join(paragraphs)))
        paragraphs.clear()

    for element in soup.find_all(["p", "div"]):
        classes = _classes(element)
        if element.name == "div" and re.match(r"rct_\d+$", element.get("id") or ""):
            flush()
            heading = f"Recital {element['id'][4:]}"
        elif "oj-ti-art" in classes:
            flush()
            heading = _text(element)
        elif "oj-sti-art" in classes:
            heading = f"{heading} — {_text(element)}"
        elif classes & {"oj-ti-section-1", "oj-ti-section-2"}:
            flush()
            heading = ""
        elif element.name == "p" and not classes & _SKIP_CLASSES and (text := _text(element)):
            if re.match(r"Article \d+", heading) or heading.startswith(("Recital", "Preamble")):
                _append(paragraphs, text)
    flush()
    return sections


def _generic_sections(soup) -> list[Section]:
    sections: list[Section] = []
    heading, paragraphs = "", []
    for element in soup.find_all(_HEADINGS + _BLOCKS):
        text = _text(element)
        if not text:
            continue
        if element.name in _HEADINGS:
            if paragraphs:
                sections.append(Section(heading, "\n".join(paragraphs)))
            heading, paragraphs = text, []
        elif not element.find_parent(_BLOCKS):
            paragraphs.append(text)
    if paragraphs:
        sections.append(Section(heading, "\n".join(paragraphs)))
    return sections


def load_html(data: bytes, path: Path) -> tuple[dict, list[Section]]:
    """Sections of an HTML page; EUR-Lex acts by article, other pages by h1-h4."""
    from bs4 import BeautifulSoup, XMLParsedAsHTMLWarning

    with warnings.catch_warnings():  # EUR-Lex serves XHTML with an XML declaration; it parses fine as HTML
        warnings.simplefilter("ignore", XMLParsedAsHTMLWarning)
        soup = BeautifulSoup(_decode(data), "lxml")  # about twice as fast as html.parser on the GDPR
    for tag in soup(["script", "style", "nav", "noscript", "template"]):
        tag.decompose()
    meta: dict = {}
    for name in ("date", "kind", "classification", "source"):
        tag = soup.find("meta", attrs={"name": name})
        if tag and tag.get("content"):
            meta[name] = tag["content"]
    doc_titles = [_text(p) for p in soup.select("p.oj-doc-ti")]
    if doc_titles:
        meta["title"] = _eurlex_title(doc_titles)
        meta.setdefault("date", document_date("\n".join(doc_titles)))
        sections = _eurlex_sections(soup)
    else:
        first = soup.find("h1")
        head_title = soup.title.get_text(" ", strip=True) if soup.title else ""
        meta["title"] = usable_metadata_title(head_title, path.stem) or (_text(first) if first else "")
        sections = _generic_sections(soup)
    return {k: v for k, v in meta.items() if v}, sections
