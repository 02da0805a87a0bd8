"""The loader of each file format: Markdown and plain text here; PDF, DOCX and HTML in their own
modules. A loader takes the file's bytes and path and returns (metadata, sections)."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from assistant.ingest.docx_loader import load_docx
from assistant.ingest.documents import DocumentError, Section
from assistant.ingest.html_loader import load_html
from assistant.ingest.pdf_loader import load_pdf

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


LOADERS = {
    ".md": _load_markdown,
    ".markdown": _load_markdown,
    ".txt": _load_text,
    ".pdf": load_pdf,
    ".docx": load_docx,
    ".html": load_html,
    ".htm": load_html,
}
