"""The Gradio app: chat with sources, the document library and the briefing generator.

Thin: every action calls the same `Assistant`, `Library` and briefing code as the CLI.
Each action is also a named API endpoint (see `API` below), tested through gradio_client.
"""


import html
import os
import re
import tempfile
from collections.abc import Iterator
from pathlib import Path

from assistant.access import Users
from assistant.answering import Answer, AnswerDelta
from assistant.chain import Assistant
from assistant.documents import SUPPORTED_SUFFIXES
from assistant.feedback import conversation_markdown, record_feedback
from assistant.filters import SearchFilter
from assistant.library import Library
from assistant.suggestions import suggest_followups

EXAMPLES = [
    "Which border points did the delegation visit?",
    "Who led the delegation?",
    "Who chairs Kenya's BCOCC?",
    "When was the Namanga One Stop Border Post officially launched?",
]
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


def _marked_passage(passage: str, quote: str) -> str:
    """The passage, HTML-escaped, with the quoted sentence(s) marked."""
    escaped = html.escape(passage)
    for sentence in filter(None, re.split(r"(?<=[.!?])\s+", quote)):
        escaped = escaped.replace(html.escape(sentence), f"<mark>{html.escape(sentence)}</mark>", 1)
    return escaped


def sources_html(answer: Answer) -> str:
    if not answer.citations:
        return EMPTY_SOURCES
    passages = {p.metadata["chunk_id"]: p for p in answer.passages}
    items = [f"<p class='classification'>Classification of this answer: <strong>{html.escape(answer.classification.upper())}</strong>"
             " (the highest among its sources)</p>"] if answer.classification else []
    for c in answer.citations:
        passage = passages.get(c.chunk_id)
        meta = passage.metadata if passage else {}
        text = passage.page_content if passage else c.quote
        where = f" — {html.escape(c.section)}" if c.section else ""
        flag = "" if answer.citation_supported(c.n) else " <span class='unsupported'>(does not support every sentence citing it)</span>"
        items.append(
            f"<div class='source' id='source-{c.n}'><p><strong>[{c.n}] {html.escape(c.title)}</strong>{where}{flag}<br>"
            f"<small>{html.escape(c.source)} · {html.escape(meta.get('date') or 'undated')} · "
            f"{html.escape(meta.get('classification', ''))}</small></p>"
            f"<blockquote>{_marked_passage(text, c.quote)}</blockquote></div>"
        )
    return "\n".join(items)


def _filter(kinds: list[str] | None, docs: list[str] | None) -> SearchFilter:
    return SearchFilter(kinds=tuple(kinds or ()), sources=tuple(docs or ()))


def respond(assistant: Assistant, message: str, history: list, kinds: list[str] | None = None,
            docs: list[str] | None = None) -> Iterator[tuple[str, str, Answer | None]]:
    """Stream (shown text, sources panel, final answer or None) for `message`, searching only `kinds`/`docs` if given."""
    question = _text_of(message).strip()
    if not question:
        yield "Please type a question.", EMPTY_SOURCES, None
        return
    text = ""
    for event in assistant.stream(question, history_messages(history), _filter(kinds, docs)):
        if isinstance(event, AnswerDelta):
            text += event.text
            yield text, EMPTY_SOURCES, None
        elif isinstance(event, Answer):
            yield display_text(event), sources_html(event), event


def build_ui(assistant: Assistant, users: Users | None = None):
    """The app; with `users`, each request answers as the logged-in user's clearance."""
    import gradio as gr

    def as_user(request) -> Assistant:
        name = getattr(request, "username", None)
        if users is None:
            return assistant
        if not name:
            raise gr.Error("Please log in.")
        return assistant.for_clearance(users.clearance(name), user=name)

    def document_choices(rows: list[list]) -> list[tuple[str, str]]:
        return [(f"{row[0]} ({row[5]})", row[5]) for row in rows]

    def kind_choices(rows: list[list]) -> list[str]:
        return sorted({row[1] for row in rows})

    # --- chat -----------------------------------------------------------------------------
    def chat(message, history, kinds, docs, answers, request: gr.Request):
        user = as_user(request)
        history = list(history or [])
        question = _text_of(message).strip()
        if not question:
            yield history, "", EMPTY_SOURCES, gr.update(), answers
            return
        history.append({"role": "user", "content": question})
        history.append({"role": "assistant", "content": ""})
        for shown, sources, final in respond(user, question, history[:-2], kinds, docs):
            history[-1] = {"role": "assistant", "content": shown}
            if final is None:
                yield history, "", sources, gr.update(), answers
            else:
                answers = list(answers or []) + [final.to_dict()]
                suggestions = suggest_followups(final, user.store)
                yield history, "", sources, gr.update(choices=suggestions, value=None, visible=bool(suggestions)), answers

    def ask(question: str, kinds: list[str], docs: list[str], request: gr.Request) -> tuple[str, str]:
        """One question, no history: (answer with [n] links, sources panel HTML)."""
        *_, (shown, sources, _final) = respond(as_user(request), question, [], kinds, docs)
        return shown, sources

    def export(answers):
        if not answers:
            raise gr.Error("Nothing to export yet: ask a question first.")
        path = Path(tempfile.mkdtemp(prefix="briefing-export-")) / "conversation.md"
        path.write_text(conversation_markdown(answers), encoding="utf-8")
        return str(path)

    def vote(answers, data: gr.LikeData):
        turn = data.index[0] // 2 if isinstance(data.index, (list, tuple)) else int(data.index) // 2
        if not answers or turn >= len(answers):
            return "No answer to rate."
        record_feedback(assistant.settings.home, answers[turn], "up" if data.liked else "down")
        return f"Thanks: your {'👍' if data.liked else '👎'} was stored with the answer."

    def comment(text: str, answers) -> str:
        if not answers:
            raise gr.Error("Ask a question first: feedback is stored with an answer.")
        if not text.strip():
            raise gr.Error("Write a comment first.")
        record_feedback(assistant.settings.home, answers[-1], "comment", text)
        return "Thanks: your comment was stored with the latest answer."

    # --- library --------------------------------------------------------------------------
    def library_updates(library: Library) -> tuple:
        """The table and the three document pickers, from one read of the library."""
        rows = library.rows()
        choices = document_choices(rows)
        return (rows, gr.update(choices=choices, value=None), gr.update(choices=choices),
                gr.update(choices=kind_choices(rows)))

    def upload(files, request: gr.Request, progress=gr.Progress()):
        if not files:
            raise gr.Error("Choose one or more files first.")
        library = Library(as_user(request))
        progress(0.1, desc=f"Indexing {len(files)} file(s)")
        paths = [Path(f if isinstance(f, str) else f.name) for f in files]
        results, _ = library.add([(p.name, p) for p in paths])
        progress(1.0)
        lines = [f"- {'✅' if r.ok else '❌'} **{html.escape(r.name)}**: {html.escape(r.message)}" for r in results]
        return ("\n".join(lines), *library_updates(library))

    def remove(source: str, request: gr.Request):
        if not source:
            raise gr.Error("Choose a document to remove.")
        library = Library(as_user(request))
        try:
            removed = library.remove(source)
        except ValueError as exc:
            raise gr.Error(str(exc)) from None
        return (f"Removed {source} ({removed} passages).", *library_updates(library))

    def list_documents(request: gr.Request) -> list[list]:
        return Library(as_user(request)).rows()

    # --- briefing -------------------------------------------------------------------------
    def brief(topic: str, docs: list[str], request: gr.Request):
        try:
            note = as_user(request).brief(topic or "", tuple(docs or ()))
        except ValueError as exc:
            raise gr.Error(str(exc)) from None
        folder = Path(tempfile.mkdtemp(prefix="briefing-note-"))
        md_path, docx_path = folder / "briefing.md", folder / "briefing.docx"
        note.save(md_path)
        note.save(docx_path)
        return note.to_markdown(), str(md_path), str(docx_path)

    with gr.Blocks(title="Study-visit briefing assistant", analytics_enabled=False) as demo:
        gr.Markdown(
            "## Study-visit briefing assistant\n"
            "Answers come only from the indexed documents, and every sentence cites its passage. "
            f"Mode: {assistant.mode}. "
            + ("Signed-in users see only documents within their clearance." if users else
               "Single local user (no users file), with the highest clearance.")
        )
        answers = gr.State([])
        with gr.Tab("Ask"):
            with gr.Row():
                with gr.Column(scale=3):
                    chatbot = gr.Chatbot(height=480, label="Chat", elem_id="chat", feedback_options=("Like", "Dislike"))
                    with gr.Row():
                        textbox = gr.Textbox(placeholder="Ask about the visit reports and governance documents…",
                                             show_label=False, scale=5, elem_id="question")
                        send = gr.Button("Ask", variant="primary", scale=1, elem_id="ask")
                    suggestions = gr.Radio([], label="Suggested follow-up questions", visible=False, elem_id="suggestions")
                    gr.Examples(EXAMPLES, inputs=textbox, label="Example questions")
                    with gr.Accordion("Search only some documents", open=False):
                        kinds = gr.CheckboxGroup([], label="Kinds (none ticked: all)")
                        docs = gr.Dropdown([], multiselect=True, label="Documents (none: all)")
                    with gr.Row():
                        export_button = gr.Button("Export conversation (Markdown)", elem_id="export")
                        export_file = gr.File(label="Exported conversation", interactive=False, elem_id="export-file")
                    with gr.Row():
                        comment_box = gr.Textbox(label="Comment on the latest answer", scale=4)
                        comment_button = gr.Button("Send feedback", scale=1)
                    feedback_status = gr.Markdown(elem_id="feedback-status")
                with gr.Column(scale=2):
                    gr.Markdown("### Sources")
                    sources = gr.HTML(EMPTY_SOURCES, elem_id="sources")
        with gr.Tab("Document library"):
            table = gr.Dataframe([], headers=LIBRARY_COLUMNS, interactive=False, label="Indexed documents")
            uploads = gr.File(file_count="multiple", file_types=list(SUPPORTED_SUFFIXES), label="Upload PDF, DOCX, Markdown, text or HTML",
                              elem_id="upload")
            upload_button = gr.Button("Index uploaded files", variant="primary", elem_id="index-uploads")
            upload_status = gr.Markdown(elem_id="upload-status")
            with gr.Row():
                to_remove = gr.Dropdown([], label="Document to remove")
                remove_button = gr.Button("Remove from index", variant="stop")
            remove_status = gr.Markdown()
        with gr.Tab("Briefing"):
            with gr.Row():
                topic = gr.Textbox(label="Topic", placeholder="e.g. Kenya's BCOCC and inter-agency coordination", elem_id="topic")
                brief_docs = gr.Dropdown([], multiselect=True, label="Documents (optional)")
            brief_button = gr.Button("Write briefing note", variant="primary", elem_id="write-briefing")
            note = gr.Markdown(elem_id="briefing-note")
            with gr.Row():
                note_md = gr.File(label="Briefing (Markdown)", interactive=False)
                note_docx = gr.File(label="Briefing (DOCX)", interactive=False, elem_id="briefing-docx")

        chat_io = dict(inputs=[textbox, chatbot, kinds, docs, answers], outputs=[chatbot, textbox, sources, suggestions, answers])
        textbox.submit(chat, **chat_io, api_visibility="private")
        send.click(chat, **chat_io, api_visibility="private")
        suggestions.select(lambda choice: choice, inputs=suggestions, outputs=textbox, api_visibility="private").then(
            chat, **chat_io, api_visibility="private")
        chatbot.like(vote, inputs=answers, outputs=feedback_status, api_visibility="private")
        comment_button.click(comment, inputs=[comment_box, answers], outputs=feedback_status, api_visibility="private")
        export_button.click(export, inputs=answers, outputs=export_file, api_visibility="private")
        library_outputs = [upload_status, table, to_remove, docs, kinds]
        upload_button.click(upload, inputs=uploads, outputs=library_outputs, api_name="upload")
        remove_button.click(remove, inputs=to_remove, outputs=[remove_status, table, to_remove, docs, kinds], api_name="remove_document")
        brief_button.click(brief, inputs=[topic, brief_docs], outputs=[note, note_md, note_docx], api_name="brief")
        # API-only endpoints (no button): the same functions, for scripts and tests.
        gr.api(ask, api_name="ask")
        gr.api(list_documents, api_name="list_documents")

        def on_load(request: gr.Request):
            rows = Library(as_user(request)).rows()
            choices = document_choices(rows)
            return (rows, gr.update(choices=choices), gr.update(choices=choices),
                    gr.update(choices=choices), gr.update(choices=kind_choices(rows)))

        demo.load(on_load, outputs=[table, to_remove, docs, brief_docs, kinds], api_visibility="private")
    return demo



def launch(assistant: Assistant, host: str, port: int, users: Users | None = None, concurrency: int = 4) -> None:
    """Serve the app; `concurrency` chats run at once, so one long answer does not block the others.
    With `users`, Gradio asks for a log-in checked against the users file."""
    os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
    demo = build_ui(assistant, users).queue(default_concurrency_limit=concurrency)
    demo.launch(server_name=host, server_port=port, footer_links=["api"], css=CSS, head=HEAD,
                allowed_paths=[tempfile.gettempdir()], auth=users.authenticate if users else None,
                auth_message="Sign in with your briefing-assistant account." if users else None)
