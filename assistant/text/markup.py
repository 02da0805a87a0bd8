"""Text from documents (and from users) made safe to put into Markdown: it shows as typed, never as markup.

The web app renders answers and notes as Markdown, and Markdown passes HTML through. A document
holding `<img src="http://other.host/x.png">`, `[portal](http://other.host/phish)`, `**bold**`,
`$$maths$$` or a bare `http://…` address must show those characters, not load an image, make a
link or change the text's look. Every character that Markdown (CommonMark with GitHub's
extensions, as Gradio's renderer reads it) or HTML could take as markup is backslash-escaped,
and a web or mail address is broken up so that no renderer turns it into a link; the text reads
the same.
"""

from __future__ import annotations

import re

_SPECIAL = re.compile(r"([\\`*_{}\[\]<>#|~$&@])")
"""Markup characters (a `!` is markup only before `[`, which is escaped)."""
_AUTOLINK = re.compile(r"(?i)(?<=[a-z])(:)(?=//)|(?<=\bwww)(\.)")
_LINE_START = re.compile(r"(?m)^(\s*)([-+=]|\d+[.)])")


def markdown_text(text: str) -> str:
    """`text` escaped so that Markdown (and the HTML inside it) renders it literally, on one or more lines."""
    escaped = _SPECIAL.sub(r"\\\1", text)
    escaped = _AUTOLINK.sub(lambda m: "\\" + (m.group(1) or m.group(2)), escaped)
    return _LINE_START.sub(lambda m: m.group(1) + re.sub(r"([-+=.)])", r"\\\1", m.group(2)), escaped)
