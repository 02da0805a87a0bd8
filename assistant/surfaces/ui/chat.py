"""The Ask tab: chat with streamed, cited answers, the sources panel, suggestions, feedback, export."""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from pathlib import Path

import gradio as gr

from assistant.answer.suggestions import suggest_followups
from assistant.answer.types import Answer, AnswerDelta
from assistant.app.feedback import conversation_markdown, record_feedback
from assistant.app.pipeline import Assistant
from assistant.app.source_names import SourceNames
from assistant.index.filters import SearchFilter
from assistant.surfaces.ui.render import EMPTY_SOURCES, display_text, history_messages, sources_html, text_of
from assistant.surfaces.ui.session import Sessions, download, user_error
from assistant.text.markup import markdown_text

EXAMPLES = [
    "Which border points did the delegation visit?",
    "Who led the delegation?",
    "Who chairs Kenya's BCOCC?",
    "When was the Namanga One Stop Border Post officially launched?",
]


def respond(assistant: Assistant, message: str, history: list, kinds: list[str] | None = None,
            docs: list[str] | None = None, names: SourceNames | None = None) -> Iterator[tuple[str, str, Answer | None]]:
    """Stream (shown text, sources panel, final answer or None) for `message`, searching only `kinds`/`docs` if given;
    the final answer's sources named as `names` shows them (default: as the assistant's settings show them).

    A question the pipeline refuses to take (too long, nothing left after cleaning) raises a
    `gr.Error` with the reason."""
    question = text_of(message).strip()
    if not question:
        yield "Please type a question.", EMPTY_SOURCES, None
        return
    search_filter = SearchFilter(kinds=tuple(kinds or ()), sources=tuple(docs or ()))
    names = names or SourceNames.of(assistant.settings)
    text = ""
    try:
        for event in assistant.stream(question, history_messages(history), search_filter):
            if isinstance(event, AnswerDelta):
                text += event.text
                yield markdown_text(text), EMPTY_SOURCES, None  # the documents' words, shown as typed
            elif isinstance(event, Answer):
                event = names.answer(event)
                yield display_text(event), sources_html(event), event
    except ValueError as exc:
        raise user_error(exc) from None


class ChatTab:
    """The Ask tab's actions, each a plain method the tests can call."""

    def __init__(self, sessions: Sessions):
        self.sessions = sessions

    @staticmethod
    def _visible_docs(account, docs) -> tuple[str, ...]:
        """The chosen documents, each one the user may see (the same error for absent and hidden ones)."""
        try:
            return account.library().check_sources(docs)
        except ValueError as exc:
            raise user_error(exc) from None

    def chat(self, message, history, kinds, docs, answers, request: gr.Request):
        account = self.sessions.account(request)
        history = list(history or [])
        question = text_of(message).strip()
        if not question:
            yield history, "", EMPTY_SOURCES, gr.update(), answers
            return
        docs = self._visible_docs(account, docs)
        turns = history + [{"role": "user", "content": question}, {"role": "assistant", "content": ""}]
        for shown, sources, final in respond(account.assistant, question, history, kinds, docs, account.names):
            turns[-1] = {"role": "assistant", "content": shown}
            if final is None:
                yield turns, "", sources, gr.update(), answers
            else:
                answers = list(answers or []) + [final.to_dict()]
                suggestions = suggest_followups(final, account.assistant.store)
                yield turns, "", sources, gr.update(choices=suggestions, value=None, visible=bool(suggestions)), answers

    def ask(self, question: str, kinds: list[str], docs: list[str], request: gr.Request) -> tuple[str, str]:
        """One question, no history: (answer with [n] links, sources panel HTML)."""
        account = self.sessions.account(request)
        docs = self._visible_docs(account, docs)
        *_, (shown, sources, _final) = respond(account.assistant, question, [], kinds, docs, account.names)
        return shown, sources

    def export(self, answers, request: gr.Request) -> str:
        self.sessions.account(request)
        if not answers:
            raise gr.Error("Nothing to export yet: ask a question first.")
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "conversation.md"
            path.write_text(conversation_markdown(answers), encoding="utf-8")
            return download(path)

    def _feedback(self, request: gr.Request, answer: dict, vote: str, comment: str = "") -> None:
        account = self.sessions.account(request)
        record_feedback(account.assistant.database, answer, vote, comment, user=account.assistant.user)

    def vote(self, answers, data: gr.LikeData, request: gr.Request):
        turn = data.index[0] // 2 if isinstance(data.index, (list, tuple)) else int(data.index) // 2
        if not answers or turn >= len(answers):
            return "No answer to rate."
        self._feedback(request, answers[turn], "up" if data.liked else "down")
        return f"Thanks: your {'👍' if data.liked else '👎'} was stored with the answer."

    def comment(self, text: str, answers, request: gr.Request) -> str:
        if not answers:
            raise gr.Error("Ask a question first: feedback is stored with an answer.")
        if not text.strip():
            raise gr.Error("Write a comment first.")
        self._feedback(request, answers[-1], "comment", text)
        return "Thanks: your comment was stored with the latest answer."

    def layout(self) -> dict:
        """The tab's components, wired to its actions; returns those other tabs update."""
        answers = gr.State([])
        with gr.Row():
            with gr.Column(scale=3):
                chatbot = gr.Chatbot(height=480, label="Chat", elem_id="chat", feedback_options=("Like", "Dislike"),
                                     latex_delimiters=[])
                with gr.Row():
                    textbox = gr.Textbox(placeholder="Ask about the visit reports and governance documents…",
                                         show_label=False, scale=5, elem_id="question")
                    send = gr.Button("Ask", variant="primary", scale=1, elem_id="ask")
                suggestions = gr.Radio([], label="Suggested follow-up questions", visible=False, elem_id="suggestions")
                gr.Examples(EXAMPLES, inputs=textbox, label="Example questions")
                with gr.Accordion("Search only some documents", open=False):
                    kinds = gr.CheckboxGroup([], label="Kinds (none ticked: all)")
                    docs = gr.Dropdown([], multiselect=True, allow_custom_value=True, label="Documents (none: all)")
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

        chat_io = dict(inputs=[textbox, chatbot, kinds, docs, answers], outputs=[chatbot, textbox, sources, suggestions, answers])
        textbox.submit(self.chat, **chat_io, api_visibility="private")
        send.click(self.chat, **chat_io, api_visibility="private")
        suggestions.select(lambda choice: choice, inputs=suggestions, outputs=textbox, api_visibility="private").then(
            self.chat, **chat_io, api_visibility="private")
        chatbot.like(self.vote, inputs=answers, outputs=feedback_status, api_visibility="private")
        comment_button.click(self.comment, inputs=[comment_box, answers], outputs=feedback_status, api_visibility="private")
        export_button.click(self.export, inputs=answers, outputs=export_file, api_visibility="private")
        gr.api(self.ask, api_name="ask")
        return {"docs": docs, "kinds": kinds}
