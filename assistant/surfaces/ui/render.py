"""How answers and their sources are shown in the web app: HTML and Markdown, escaped."""

import html
import re

from assistant.answer.types import Answer
from assistant.text.sentences import split_sentences
from assistant.text.markup import markdown_text

LOW_CONFIDENCE = "Low confidence: check the passage"
_WARNING = re.compile(r"<span class='low-confidence'>.*?</span>\s*")
EMPTY_SOURCES = "<p class='sources-empty'>Sources of the latest answer appear here.</p>"
LIBRARY_COLUMNS = ["title", "kind", "date", "uploaded", "classification", "passages", "source"]
LIBRARY_WIDTHS = ["28%", "10%", "10%", "10%", "11%", "8%", "23%"]
"""Shares of the table's width: at 1,280 px every column shows, long titles and sources wrapping."""


def text_of(content) -> str:
    """A chat message's text, whether Gradio gives a string or a list of parts."""
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return " ".join(part.get("text", "") for part in content if isinstance(part, dict))
    if isinstance(content, dict):
        return str(content.get("text", ""))
    return ""


def history_messages(history: list) -> list[dict[str, str]]:
    """The chat so far as the pipeline reads it: each message's text, without the low-confidence warning."""
    return [
        {"role": m["role"], "content": _WARNING.sub("", text_of(m.get("content")))}
        for m in history or []
        if isinstance(m, dict) and m.get("role") in ("user", "assistant")
    ]


def link_citations(text: str, numbers) -> str:
    """Turn the (escaped) markers `\\[n\\]` of citations `numbers` into links to the sources panel's entry n."""
    return re.sub(r"\\\[(\d+)\\\]", lambda m: f"[[{m[1]}]](#source-{m[1]})" if int(m[1]) in numbers else m[0], text)


def display_text(answer: Answer) -> str:
    """The answer as shown, as Markdown in which only the citation links and marks are markup (the documents' text
    shows as typed): a low-confidence answer opens with its warning, and sentences whose citations failed
    verification are visibly marked."""
    warning = f"<span class='low-confidence'>⚠️ {LOW_CONFIDENCE}.</span> " if answer.low_confidence else ""
    return warning + _body(answer)


WITHHELD = "A sentence was withheld: the passage it cites does not support it"


def _body(answer: Answer) -> str:
    """The answer's sentences; one its cited passages do not support is withheld (never shown: it may be a
    hijacked or invented sentence), and a note says so in its place."""
    numbers = {c.n for c in answer.citations}
    if answer.refused or all(check.supported for check in answer.sentences):
        return link_citations(markdown_text(answer.text), numbers)
    parts = []
    for check in answer.sentences:
        markers = "".join(f"[{n}]" for n in check.citations)
        parts.append(markdown_text(f"{check.text} {markers}".strip()) if check.supported else f"⚠️ *{WITHHELD}.*")
    return link_citations(" ".join(parts), numbers)


def _marked_passage(passage: str, quote: str) -> str:
    """The passage, HTML-escaped, with the quoted sentence(s) marked."""
    escaped = html.escape(passage)
    for sentence in split_sentences(quote):
        escaped = escaped.replace(html.escape(sentence), f"<mark>{html.escape(sentence)}</mark>", 1)
    return escaped


def sources_html(answer: Answer) -> str:
    if not answer.citations:
        return EMPTY_SOURCES
    passages = {p.metadata["chunk_id"]: p for p in answer.passages}
    items = [f"<p class='classification'>Classification of this answer: <strong>{html.escape(answer.classification.upper())}</strong>"
             " (the highest among its sources)</p>"] if answer.classification else []
    if answer.confidence is not None and not answer.refused:
        low = f"<strong>{LOW_CONFIDENCE}.</strong> " if answer.low_confidence else ""
        items.append(f"<p class='confidence{' low' if answer.low_confidence else ''}'>{low}Confidence:"
                     f" <strong>{answer.confidence:.0%}</strong> that the quoted sentence answers the question"
                     " (calibrated on public question-answering data)</p>")
    for c in answer.citations:
        passage = passages.get(c.chunk_id)
        meta = passage.metadata if passage else {}
        text = passage.page_content if passage else c.quote
        where = f" — {html.escape(c.location)}" if c.location else ""
        flag = "" if answer.citation_supported(c.n) else " <span class='unsupported'>(does not support every sentence citing it)</span>"
        items.append(
            f"<div class='source' id='source-{c.n}'><p><strong>[{c.n}] {html.escape(c.title)}</strong>{where}{flag}<br>"
            f"<small>{html.escape(c.source)} · {html.escape(meta.get('date') or 'undated')} · "
            f"{html.escape(meta.get('classification', ''))}</small></p>"
            f"<blockquote>{_marked_passage(text, c.quote)}</blockquote></div>"
        )
    return "\n".join(items)
