"""The Briefing tab: a cited briefing note on a topic and/or documents, or a comparison note of two topics
side by side, one page or standard length, as Markdown and DOCX."""

from __future__ import annotations

import re
import tempfile
import unicodedata
from pathlib import Path

import gradio as gr

from assistant.surfaces.ui.session import Sessions, download, user_error

LENGTHS = ["standard", "one-page"]
STEM_CHARS = 80


def file_stem(kind: str, title: str) -> str:
    """A download's name from the note's kind and topic: "briefing-kenya-s-bcocc" (plain letters and digits)."""
    ascii_title = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode()
    words = re.sub(r"[^a-z0-9]+", "-", ascii_title.lower()).strip("-")
    stem = f"{kind}-{words}" if words else kind
    return stem if len(stem) <= STEM_CHARS else stem[:STEM_CHARS + 1].rsplit("-", 1)[0]  # whole words only


class BriefingTab:
    """The briefing's actions, plain methods the tests can call."""

    def __init__(self, sessions: Sessions):
        self.sessions = sessions

    @staticmethod
    def _files(note, kind: str, title: str):
        """The note, and its Markdown and DOCX downloads named after its topic."""
        with tempfile.TemporaryDirectory() as folder:
            stem = file_stem(kind, title)
            md_path, docx_path = Path(folder) / f"{stem}.md", Path(folder) / f"{stem}.docx"
            note.save(md_path)
            note.save(docx_path)
            return note.to_markdown(), download(md_path), download(docx_path)

    def brief(self, topic: str, docs: list[str], length: str = "standard", request: gr.Request = None):
        account = self.sessions.account(request)
        try:
            sources = account.library().check_sources(docs)
            note = account.assistant.brief(topic or "", sources, length=length or "standard")
        except ValueError as exc:
            raise user_error(exc) from None
        return self._files(account.names.note(note), "briefing", note.topic)

    def compare(self, topic: str, other: str, docs: list[str], length: str = "standard", request: gr.Request = None):
        account = self.sessions.account(request)
        try:
            sources = account.library().check_sources(docs)
            note = account.assistant.compare(topic or "", other or "", sources, length=length or "standard")
        except ValueError as exc:
            raise user_error(exc) from None
        return self._files(account.names.note(note), "comparison", note.title)

    def layout(self) -> dict:
        with gr.Row():
            topic = gr.Textbox(label="Topic", placeholder="e.g. Kenya's BCOCC and inter-agency coordination", elem_id="topic")
            docs = gr.Dropdown([], multiselect=True, allow_custom_value=True, label="Documents (optional)")
        with gr.Row():
            length = gr.Radio(LENGTHS, value="standard", label="Length", info="one-page: 2 bullets a section; standard: 4",
                              elem_id="length")
            other = gr.Textbox(label="Compare with (a second topic, for a comparison note)",
                               placeholder="e.g. Pakistan's IBMS coordination", elem_id="compare-topic")
        with gr.Row():
            button = gr.Button("Write briefing note", variant="primary", elem_id="write-briefing")
            compare = gr.Button("Write comparison note", elem_id="write-comparison")
        note = gr.Markdown(elem_id="briefing-note", latex_delimiters=[])
        with gr.Row():
            note_md = gr.File(label="Briefing (Markdown)", interactive=False, elem_id="briefing-md")
            note_docx = gr.File(label="Briefing (DOCX)", interactive=False, elem_id="briefing-docx")
        button.click(self.brief, inputs=[topic, docs, length], outputs=[note, note_md, note_docx], api_name="brief")
        compare.click(self.compare, inputs=[topic, other, docs, length], outputs=[note, note_md, note_docx],
                      api_name="compare")
        return {"docs": docs}
