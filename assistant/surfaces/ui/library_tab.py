"""The Document library tab: list, upload, replace and remove documents, by role and clearance."""

from __future__ import annotations

import html
from pathlib import Path

import gradio as gr

from assistant.app.access import AccessError
from assistant.app.library import Library
from assistant.ingest.documents import SUPPORTED_SUFFIXES
from assistant.surfaces.ui.render import LIBRARY_COLUMNS
from assistant.surfaces.ui.session import Sessions, user_error

LIBRARY_QUEUE = "library"
"""Uploads, replacements and removals share one queue slot: one ingest at a time bounds memory,
while questions keep being answered on the other workers."""


def document_choices(rows: list[list]) -> list[tuple[str, str]]:
    return [(f"{row[0]} ({row[5]})", row[5]) for row in rows]


def kind_choices(rows: list[list]) -> list[str]:
    return sorted({row[1] for row in rows})


def _paths(files) -> list[tuple[str, Path]]:
    paths = [Path(f if isinstance(f, str) else f.name) for f in files or []]
    return [(p.name, p) for p in paths]


class LibraryTab:
    """The library's actions, each a plain method the tests can call."""

    def __init__(self, sessions: Sessions):
        self.sessions = sessions
        self.pickers: list[gr.components.Component] = []
        """The document pickers of every tab, refreshed after each change (set by `layout`)."""

    def updates(self, library: Library) -> tuple:
        """The table, the kind filter and every document picker, from one read of the library."""
        rows = library.rows()
        choices = document_choices(rows)
        return (rows, gr.update(choices=kind_choices(rows)), *(gr.update(choices=choices, value=None) for _ in self.pickers))

    def upload(self, files, label: str | None = None, request: gr.Request = None,
               progress=gr.Progress(track_tqdm=True)):
        library = self.sessions.account(request).library()
        if not files:
            raise gr.Error("Choose one or more files first.")
        progress(0.0, desc=f"Indexing {len(files)} file(s)")
        try:
            results, _ = library.add(_paths(files), label or None, progress=True)
        except (AccessError, ValueError) as exc:
            raise user_error(exc) from None
        lines = [f"- {'✅' if r.ok else '❌'} **{html.escape(r.name)}**: {html.escape(r.message)}" for r in results]
        return ("\n".join(lines), *self.updates(library))

    def replace(self, source: str, file, label: str | None = None, request: gr.Request = None):
        library = self.sessions.account(request).library()
        if not source or not file:
            raise gr.Error("Choose the document to replace and its new version.")
        ((original, path),) = _paths([file])
        try:
            message = library.replace(source, original, path, label or None)
        except (AccessError, ValueError) as exc:
            raise user_error(exc) from None
        return (message, *self.updates(library))

    def remove(self, source: str, request: gr.Request):
        library = self.sessions.account(request).library()
        if not source:
            raise gr.Error("Choose a document to remove.")
        try:
            removed = library.remove(source)
        except (AccessError, ValueError) as exc:
            raise user_error(exc) from None
        return (f"Removed {source} ({removed} passages).", *self.updates(library))

    def list_documents(self, request: gr.Request) -> list[list]:
        return self.sessions.account(request).library().rows()

    def on_load(self, request: gr.Request) -> tuple:
        """The page's first view: the library as this user sees it, editing shown only to editors."""
        account = self.sessions.account(request)
        return (*self.updates(account.library()), gr.update(visible=account.role != "reader"))

    def layout(self, levels: tuple[str, ...]) -> dict:
        """The tab's components, wired to its actions."""
        table = gr.Dataframe([], headers=LIBRARY_COLUMNS, interactive=False, label="Indexed documents")
        with gr.Group(visible=False) as editing:
            uploads = gr.File(file_count="multiple", file_types=list(SUPPORTED_SUFFIXES),
                              label="Upload PDF, DOCX, Markdown, text or HTML", elem_id="upload")
            label = gr.Dropdown(list(levels), value=None, label="Classification of the uploads "
                                "(empty: each file's own label, else public; never above your clearance)")
            upload_button = gr.Button("Index uploaded files", variant="primary", elem_id="index-uploads")
            upload_status = gr.Markdown(elem_id="upload-status")
            with gr.Row():
                to_change = gr.Dropdown([], allow_custom_value=True, label="Document to replace or remove")
                new_version = gr.File(label="New version (to replace it)", file_types=list(SUPPORTED_SUFFIXES))
            with gr.Row():
                replace_button = gr.Button("Replace document")
                remove_button = gr.Button("Remove from index", variant="stop")
            change_status = gr.Markdown()
        self.pickers.append(to_change)
        return {"table": table, "editing": editing, "uploads": uploads, "label": label, "upload_button": upload_button,
                "upload_status": upload_status, "to_change": to_change, "new_version": new_version,
                "replace_button": replace_button, "remove_button": remove_button, "change_status": change_status}

    def wire(self, parts: dict, kinds: gr.components.Component, demo: gr.Blocks) -> None:
        """Connect the buttons once every tab's pickers are known."""
        refreshed = [parts["table"], kinds, *self.pickers]
        queue = dict(concurrency_limit=1, concurrency_id=LIBRARY_QUEUE)
        parts["upload_button"].click(self.upload, inputs=[parts["uploads"], parts["label"]],
                                     outputs=[parts["upload_status"], *refreshed], api_name="upload", **queue)
        parts["replace_button"].click(self.replace, inputs=[parts["to_change"], parts["new_version"], parts["label"]],
                                      outputs=[parts["change_status"], *refreshed], api_name="replace_document", **queue)
        parts["remove_button"].click(self.remove, inputs=parts["to_change"],
                                     outputs=[parts["change_status"], *refreshed], api_name="remove_document", **queue)
        gr.api(self.list_documents, api_name="list_documents")
        demo.load(self.on_load, outputs=[*refreshed, parts["editing"]], api_visibility="private")
