"""The Briefing tab: a cited briefing note on a topic and/or documents, as Markdown and DOCX."""

from __future__ import annotations

import tempfile
from pathlib import Path

import gradio as gr

from assistant.surfaces.ui.session import Sessions, download, user_error


class BriefingTab:
    """The briefing's action, a plain method the tests can call."""

    def __init__(self, sessions: Sessions):
        self.sessions = sessions

    def brief(self, topic: str, docs: list[str], request: gr.Request):
        account = self.sessions.account(request)
        try:
            sources = account.library().check_sources(docs)
            note = account.assistant.brief(topic or "", sources)
        except ValueError as exc:
            raise user_error(exc) from None
        with tempfile.TemporaryDirectory() as folder:
            md_path, docx_path = Path(folder) / "briefing.md", Path(folder) / "briefing.docx"
            note.save(md_path)
            note.save(docx_path)
            return note.to_markdown(), download(md_path), download(docx_path)

    def layout(self) -> dict:
        with gr.Row():
            topic = gr.Textbox(label="Topic", placeholder="e.g. Kenya's BCOCC and inter-agency coordination", elem_id="topic")
            docs = gr.Dropdown([], multiselect=True, allow_custom_value=True, label="Documents (optional)")
        button = gr.Button("Write briefing note", variant="primary", elem_id="write-briefing")
        note = gr.Markdown(elem_id="briefing-note")
        with gr.Row():
            note_md = gr.File(label="Briefing (Markdown)", interactive=False)
            note_docx = gr.File(label="Briefing (DOCX)", interactive=False, elem_id="briefing-docx")
        button.click(self.brief, inputs=[topic, docs], outputs=[note, note_md, note_docx], api_name="brief")
        return {"docs": docs}
