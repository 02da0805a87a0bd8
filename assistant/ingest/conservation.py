"""Nothing lost without a word: a file's own text, word by word, against the passages stored for it.

The file is read again, independently of the loaders: a PDF's text layer page by page (PyMuPDF's
words), a DOCX's paragraphs and table cells, an HTML page's visible text, a Markdown or text
file's body. Every word there must be in a passage stored for the file on the same page (its text,
its section heading, or the document's title), or on a page the per-file report lists as left out
(contents pages, scans that could not be read, unreadable text), with its reason. Running headers
and footers (lines at a page's edge repeated on a quarter of the pages) and bare page numbers are
counted apart, as furniture.

Words are compared after Unicode NFKC normalisation (so ligatures such as "ﬁ" read "fi") and case
folding, as runs of letters and digits; a word hyphenated at a line end also counts as stored when
it was stored joined up ("regu-" + "lation" -> "regulation").
"""

from __future__ import annotations

import io
import re
import unicodedata
import warnings
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from assistant.ingest.documents import LoadedDocument
from assistant.ingest.formats import split_front_matter
from assistant.ingest.pdf_cleanup import EDGE_ROWS, furniture_key, is_page_number

TARGET = 0.995
"""The share of the words on indexed pages that must be stored."""
_WORD = re.compile(r"\w+")
_SKIPPED_HTML = ("script", "style", "nav", "noscript", "template", "head")


def tokens(text: str) -> list[str]:
    """Normalised words: NFKC, case-folded, runs of letters and digits."""
    return _WORD.findall(unicodedata.normalize("NFKC", text).casefold())


@dataclass(frozen=True)
class Word:
    """One word of the file's own text: its page (None without pages) and the forms that count as it."""

    page: int | None
    text: str
    forms: frozenset[str]


@dataclass
class SourceText:
    """The file's words, and how many were set aside as page furniture."""

    words: list[Word]
    furniture: int = 0


@dataclass(frozen=True)
class Passage:
    """What the index stores of one chunk, as the check needs it."""

    text: str
    section: str
    page: int
    page_end: int


@dataclass
class Conservation:
    """The outcome of the check for one file."""

    source: str
    counted: int = 0
    """Words on indexed pages."""
    stored: int = 0
    left_out: int = 0
    """Words on pages the per-file report lists as left out (with the reason)."""
    furniture: int = 0
    lost: list[tuple[int | None, str]] = field(default_factory=list)

    @property
    def share(self) -> float:
        return self.stored / self.counted if self.counted else 1.0

    @property
    def ok(self) -> bool:
        return self.share >= TARGET

    def summary(self, examples: int = 8) -> str:
        """"docs/x.pdf: 16,598 of 16,620 words stored (99.87%); ... lost: p. 24 "20776", ..."."""
        line = (f"{self.source}: {self.stored:,} of {self.counted:,} words stored ({100 * self.share:.2f}%)"
                f"; {self.left_out:,} on pages reported as left out; {self.furniture:,} running headers, footers"
                f" and page numbers")
        if self.lost:
            shown = ", ".join(f"p. {page} \"{word}\"" if page else f"\"{word}\"" for page, word in self.lost[:examples])
            line += f"; {len(self.lost):,} lost, e.g. {shown}"
        return line


def _lines_words(lines: list[list[str]], page: int | None) -> list[Word]:
    """Words of consecutive lines, a word hyphenated at a line end also counting as joined up."""
    words: list[Word] = []
    flat = [(index, raw) for index, line in enumerate(lines) for raw in line]
    for position, (_, raw) in enumerate(flat):
        parts = tokens(raw)
        joined_before = ""
        if position > 0 and flat[position - 1][1].endswith("-"):
            joined_before = (tokens(flat[position - 1][1][:-1] + raw) or [""])[-1]
        joined_after = ""
        if raw.endswith("-") and position + 1 < len(flat):
            joined_after = (tokens(raw[:-1] + flat[position + 1][1]) or [""])[0] if parts else ""
        for index, part in enumerate(parts):
            forms = {part}
            if index == 0 and joined_before:
                forms.add(joined_before)
            if index == len(parts) - 1 and joined_after:
                forms.add(joined_after)
            words.append(Word(page, part, frozenset(forms)))
    return words


def pdf_text(data: bytes) -> SourceText:
    """The words of a PDF's text layer, page by page; running headers, footers and page numbers apart."""
    import pymupdf

    document = pymupdf.open(stream=data, filetype="pdf")
    pages: list[list[tuple[float, list[str]]]] = []
    for page in document:
        lines: dict[tuple[int, int], tuple[float, list[str]]] = {}
        for x0, y0, x1, y1, text, block, line, _ in page.get_text("words"):
            lines.setdefault((block, line), (y0, []))[1].append(text)
        pages.append(sorted(lines.values(), key=lambda item: item[0]))
    keys: Counter[str] = Counter()
    for lines in pages:
        keys.update({furniture_key(" ".join(words)) for _, words in lines[:EDGE_ROWS] + lines[-EDGE_ROWS:]})
    repeated = {key for key, count in keys.items() if count >= max(3, 0.25 * len(pages))}
    text = SourceText([])
    for number, lines in enumerate(pages, start=1):
        edges = {id(item) for item in lines[:EDGE_ROWS] + lines[-EDGE_ROWS:]}
        body = []
        for item in lines:
            line = " ".join(item[1])
            if id(item) in edges and (furniture_key(line) in repeated or is_page_number(line)):
                text.furniture += len(tokens(line))
            else:
                body.append(item[1])
        text.words += _lines_words(body, number)
    return text


def docx_text(data: bytes) -> SourceText:
    """The words of a DOCX's body: its paragraphs and the cells of its tables."""
    import docx

    document = docx.Document(io.BytesIO(data))
    texts = [p.text for p in document.paragraphs]

    def cells(tables) -> Iterable[str]:
        for table in tables:
            for row in table.rows:
                for cell in row.cells:
                    yield from (p.text for p in cell.paragraphs)
                    yield from cells(cell.tables)

    texts += list(dict.fromkeys(cells(document.tables)))  # a merged cell repeats in every row it spans
    return SourceText(_lines_words([t.split() for t in texts], None))


def html_text(data: bytes) -> SourceText:
    """The words an HTML page shows (scripts, styles, navigation and the head left out)."""
    from bs4 import BeautifulSoup, XMLParsedAsHTMLWarning

    with warnings.catch_warnings():  # EUR-Lex serves XHTML with an XML declaration; it parses fine as HTML
        warnings.simplefilter("ignore", XMLParsedAsHTMLWarning)
        soup = BeautifulSoup(data.decode("utf-8-sig", errors="replace"), "lxml")
    for tag in soup(list(_SKIPPED_HTML)):
        tag.decompose()
    return SourceText(_lines_words([line.split() for line in soup.get_text("\n").splitlines()], None))


def plain_text(data: bytes) -> SourceText:
    """The words of a Markdown or text file after its front matter."""
    _, body = split_front_matter(data.decode("utf-8-sig", errors="replace"))
    return SourceText(_lines_words([line.split() for line in body.splitlines()], None))


READERS = {".pdf": pdf_text, ".docx": docx_text, ".html": html_text, ".htm": html_text}


def source_text(data: bytes, path: Path) -> SourceText:
    return READERS.get(path.suffix.lower(), plain_text)(data)


def _stored_by_page(passages: list[Passage], title: str) -> tuple[dict[int, set[str]], set[str]]:
    """Words stored for each page (a passage counts for every page it is on), and those stored for all."""
    everywhere = set(tokens(title))
    by_page: dict[int, set[str]] = {}
    for passage in passages:
        words = set(tokens(passage.text)) | set(tokens(passage.section))
        if not passage.page:
            everywhere |= words
            continue
        for page in range(passage.page, max(passage.page, passage.page_end) + 1):
            by_page.setdefault(page, set()).update(words)
    return by_page, everywhere


def check(text: SourceText, document: LoadedDocument, passages: list[Passage]) -> Conservation:
    """Compare the file's words with the passages stored for it; `document` gives the pages left out."""
    result = Conservation(document.source, furniture=text.furniture)
    skipped = {page for page, _ in document.skipped_pages}
    partly = {page for page, _ in document.dropped_text}
    by_page, everywhere = _stored_by_page(passages, document.title)
    for word in text.words:
        if word.page in skipped:
            result.left_out += 1
            continue
        stored = everywhere | by_page.get(word.page, set()) if word.page else everywhere
        if word.forms & stored:
            result.counted += 1
            result.stored += 1
        elif word.page in partly:
            result.left_out += 1
        else:
            result.counted += 1
            result.lost.append((word.page, word.text))
    return result


def check_file(data: bytes, path: Path, document: LoadedDocument, passages: list[Passage]) -> Conservation:
    return check(source_text(data, path), document, passages)
