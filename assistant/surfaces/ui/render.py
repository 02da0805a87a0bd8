"""How answers and their sources are shown in the web app: HTML and Markdown, escaped."""

import html
import re

from assistant.answer.types import Answer
from assistant.text.sentences import split_sentences

EMPTY_SOURCES = "<p class='sources-empty'>Sources of the latest answer appear here.</p>"
LIBRARY_COLUMNS = ["title", "kind", "date", "classification", "passages", "source"]
CSS = """
.source { border-left: 4px solid #c7d2fe; padding: 4px 10px; margin-bottom: 10px; }
.source.highlight { border-left-color: #f59e0b; background: #fffbeb; }
.source mark { background: #fde68a; }
.unsupported { color: #b91c1c; }
"""
# Clicking a [n] link in an answer highlights and scrolls to passage n in the sources panel.
HEAD = """<script>
document.addEventListener('click', function (event) {
  const link = event.target.closest('a[href^="#source-"]');
  if (!link) return;
  event.preventDefault();
  const target = document.getElementById(link.getAttribute('href').slice(1));
  if (!target) return;
  document.querySelectorAll('.source.highlight').forEach(el => el.classList.remove('highlight'));
  target.classList.add('highlight');
  target.scrollIntoView({behavior: 'smooth', block: 'center'});
}, true);
</script>"""


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
    return [
        {"role": m["role"], "content": text_of(m.get("content"))}
        for m in history or []
        if isinstance(m, dict) and m.get("role") in ("user", "assistant")
    ]


def link_citations(text: str) -> str:
    """Turn `[n]` markers into links to the matching entry of the sources panel."""
    return re.sub(r"\[(\d+)\]", r"[[\1]](#source-\1)", text)


def display_text(answer: Answer) -> str:
    """The answer as shown: sentences whose citations failed verification are visibly marked."""
    if answer.refused or all(check.supported for check in answer.sentences):
        return link_citations(answer.text)
    parts = []
    for check in answer.sentences:
        markers = "".join(f"[{n}]" for n in check.citations)
        sentence = f"{check.text} {markers}".strip()
        parts.append(sentence if check.supported else f"⚠️ *Not supported by its cited passage:* ~~{sentence}~~")
    return link_citations(" ".join(parts))


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
        items.append(f"<p class='confidence'>Confidence: <strong>{answer.confidence:.0%}</strong> that the quoted"
                     " sentence answers the question (calibrated on public question-answering data)</p>")
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
