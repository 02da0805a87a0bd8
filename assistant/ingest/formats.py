"""One loader per file format (Markdown, plain text, PDF, DOCX, HTML): bytes in, (metadata, sections) out."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from assistant.ingest.documents import DocumentError, Section

_FRONT_MATTER = re.compile(r"\A---[ \t]*\r?\n(.*?)\r?\n---[ \t]*(?:\r?\n|\Z)", re.S)
_ATX_HEADING = re.compile(r"^(#{1,6})\s+(.+?)\s*#*\s*$")



def _decode(data: bytes, path: Path) -> str:
    if b"\x00" in data[:8192]:
        raise DocumentError("binary content, not text")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise DocumentError(f"not valid UTF-8 text (byte {exc.start})") from None


def split_front_matter(text: str) -> tuple[dict, str]:
    """YAML front matter (if any) and the text after it."""
    match = _FRONT_MATTER.match(text)
    if not match:
        return {}, text
    try:
        meta = yaml.safe_load(match.group(1)) or {}
    except yaml.YAMLError as exc:
        raise DocumentError(f"front matter is not valid YAML: {exc.__class__.__name__}") from None
    if not isinstance(meta, dict):
        raise DocumentError("front matter must be a YAML mapping")
    return meta, text[match.end():]


def _markdown_sections(body: str) -> tuple[str | None, list[Section]]:
    """Sections under ATX headings; the first level-1 heading is the title."""
    title: str | None = None
    sections: list[Section] = []
    heading, lines = "", []

    def flush() -> None:
        text = "\n".join(lines).strip()
        if text:
            sections.append(Section(heading, text))

    for line in body.splitlines():
        match = _ATX_HEADING.match(line)
        if match:
            flush()
            lines = []
            level, text = len(match.group(1)), match.group(2).strip()
            if level == 1 and title is None:
                title, heading = text, ""
            else:
                heading = text
        else:
            lines.append(line)
    flush()
    return title, sections


def _paragraph_text(text: str) -> str:
    """Each non-empty line is a paragraph of its own (plain text and the seed report)."""
    return "\n\n".join(line.strip() for line in text.splitlines() if line.strip())


def _load_markdown(data: bytes, path: Path) -> tuple[dict, list[Section]]:
    meta, body = split_front_matter(_decode(data, path))
    title, sections = _markdown_sections(body)
    if title and "title" not in meta:
        meta["title"] = title
    return meta, [Section(s.heading, _paragraph_text(s.text)) for s in sections]


def _load_text(data: bytes, path: Path) -> tuple[dict, list[Section]]:
    meta, body = split_front_matter(_decode(data, path))
    text = _paragraph_text(body)
    return meta, [Section("", text)] if text else []


def _load_pdf(data: bytes, path: Path) -> tuple[dict, list[Section]]:
    import io

    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            raise DocumentError("the PDF is encrypted")
        pages = [page.extract_text() or "" for page in reader.pages]
        info = reader.metadata or {}
    except DocumentError:
        raise
    except (PdfReadError, ValueError, KeyError, TypeError, OSError) as exc:
        raise DocumentError(f"not a readable PDF ({exc.__class__.__name__}: {exc})") from None
    meta = {}
    if info.get("/Title"):
        meta["title"] = str(info["/Title"])
    created = info.get("/CreationDate")
    if created and re.match(r"D:\d{8}", str(created)):
        raw = str(created)[2:10]
        meta["date"] = f"{raw[:4]}-{raw[4:6]}-{raw[6:8]}"
    sections = [
        Section(f"Page {number}", " ".join(text.split()), page=number)
        for number, text in enumerate(pages, start=1)
        if text.strip()
    ]
    if not sections:
        raise DocumentError("the PDF has no extractable text (is it a scan?)")
    return meta, sections


def _load_docx(data: bytes, path: Path) -> tuple[dict, list[Section]]:
    import io
    import zipfile

    import docx

    try:
        document = docx.Document(io.BytesIO(data))
    except (zipfile.BadZipFile, KeyError, ValueError) as exc:
        raise DocumentError(f"not a readable DOCX ({exc.__class__.__name__}: {exc})") from None
    props = document.core_properties
    meta: dict = {}
    if props.title:
        meta["title"] = props.title
    if props.created:
        meta["date"] = props.created
    sections: list[Section] = []
    heading, paragraphs = "", []
    for paragraph in document.paragraphs:
        text = paragraph.text.strip()
        if not text:
            continue
        style = (paragraph.style.name if paragraph.style is not None else "") or ""
        if style == "Title":
            meta.setdefault("title", text)
        elif style.startswith("Heading"):
            if paragraphs:
                sections.append(Section(heading, "\n\n".join(paragraphs)))
            heading, paragraphs = text, []
        else:
            paragraphs.append(text)
    if paragraphs:
        sections.append(Section(heading, "\n\n".join(paragraphs)))
    return meta, sections


_HTML_BLOCKS = ("p", "li", "pre", "blockquote", "dd", "dt", "td", "th", "figcaption")
_HTML_HEADINGS = ("h1", "h2", "h3", "h4", "h5", "h6")


def _load_html(data: bytes, path: Path) -> tuple[dict, list[Section]]:
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(_decode(data, path), "html.parser")
    for tag in soup(["script", "style", "nav", "noscript", "template"]):
        tag.decompose()
    meta: dict = {}
    for name in ("date", "kind", "classification", "source"):
        tag = soup.find("meta", attrs={"name": name})
        if tag and tag.get("content"):
            meta[name] = tag["content"]
    if soup.title and soup.title.get_text(strip=True):
        meta["title"] = soup.title.get_text(" ", strip=True)
    sections: list[Section] = []
    heading, paragraphs = "", []
    for element in soup.find_all(_HTML_HEADINGS + _HTML_BLOCKS):
        text = " ".join(element.get_text(" ", strip=True).split())
        if not text:
            continue
        if element.name in _HTML_HEADINGS:
            if element.name == "h1" and "title" not in meta:
                meta["title"] = text
                continue
            if paragraphs:
                sections.append(Section(heading, "\n\n".join(paragraphs)))
            heading, paragraphs = text, []
        elif not element.find_parent(_HTML_BLOCKS):
            paragraphs.append(text)
    if paragraphs:
        sections.append(Section(heading, "\n\n".join(paragraphs)))
    return meta, sections


LOADERS = {
    ".md": _load_markdown,
    ".markdown": _load_markdown,
    ".txt": _load_text,
    ".pdf": _load_pdf,
    ".docx": _load_docx,
    ".html": _load_html,
    ".htm": _load_html,
}
