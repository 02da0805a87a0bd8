"""The Gradio chat: a thin adapter from the chain to a streamed chat with a sources panel."""

from __future__ import annotations

import html
import os
import re
from collections.abc import Iterator

from assistant.answering import Answer, AnswerDelta, Citation
from assistant.chain import Assistant
from assistant.filters import SearchFilter

EXAMPLES = [
    "Which border points did the delegation visit?",
    "Who led the delegation?",
    "Who chairs Kenya's BCOCC?",
    "When was the Namanga One Stop Border Post officially launched?",
]
EMPTY_SOURCES = "<p class='sources-empty'>Sources of the latest answer appear here.</p>"


def _text_of(content) -> str:
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
        {"role": m["role"], "content": _text_of(m.get("content"))}
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


def sources_html(citations: list[Citation]) -> str:
    if not citations:
        return EMPTY_SOURCES
    items = []
    for c in citations:
        where = f" — {html.escape(c.section)}" if c.section else ""
        items.append(
            f"<div class='source' id='source-{c.n}'><p><strong>[{c.n}] {html.escape(c.title)}</strong>{where}<br>"
            f"<small>{html.escape(c.source)}</small></p><blockquote>{html.escape(c.quote)}</blockquote></div>"
        )
    return "\n".join(items)


def respond(assistant: Assistant, message: str, history: list, kinds: list[str] | None = None) -> Iterator[tuple[str, str]]:
    """Stream the answer to `message` (searching only documents of `kinds`, if any); the second value is the sources panel."""
    question = _text_of(message).strip()
    if not question:
        yield "Please type a question.", EMPTY_SOURCES
        return
    text = ""
    for event in assistant.stream(question, history_messages(history), SearchFilter(kinds=tuple(kinds or ()))):
        if isinstance(event, AnswerDelta):
            text += event.text
            yield text, EMPTY_SOURCES
        elif isinstance(event, Answer):
            yield display_text(event), sources_html(event.citations)


def build_ui(assistant: Assistant):
    import gradio as gr

    def chat(message: str, history: list, kinds: list[str]) -> Iterator[tuple[str, str]]:
        yield from respond(assistant, message, history, kinds)

    with gr.Blocks(title="Study-visit briefing assistant", analytics_enabled=False) as demo:
        gr.Markdown(
            "## Study-visit briefing assistant\n"
            f"Answers come only from the indexed documents ({assistant.store.count()} passages), "
            f"and every sentence cites its passage. Mode: {assistant.mode}."
        )
        with gr.Row():
            with gr.Column(scale=3):
                sources = gr.HTML(EMPTY_SOURCES, label="Sources", render=False, elem_id="sources")
                kinds = gr.CheckboxGroup(
                    sorted(assistant.store.kinds()), label="Search only these kinds of document (none ticked: all)",
                    render=False,
                )
                gr.ChatInterface(
                    fn=chat,
                    additional_inputs=[kinds],
                    additional_inputs_accordion=gr.Accordion("Filter documents", open=False),
                    additional_outputs=[sources],
                    examples=[[question, []] for question in EXAMPLES],
                    chatbot=gr.Chatbot(height=520, label="Chat"),
                    api_name="chat",
                )
            with gr.Column(scale=2):
                gr.Markdown("### Sources")
                sources.render()
    return demo


def launch(assistant: Assistant, host: str, port: int) -> None:
    os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
    build_ui(assistant).queue().launch(server_name=host, server_port=port, footer_links=["api"])
