"""The Document library tab: list, upload, replace and remove documents, by role and clearance."""

from __future__ import annotations

from pathlib import Path

import gradio as gr

from assistant.app.access import AccessError
from assistant.app.library import Library
from assistant.ingest.documents import SUPPORTED_SUFFIXES
from assistant.surfaces.ui.render import LIBRARY_COLUMNS, LIBRARY_WIDTHS
from assistant.surfaces.ui.session import Sessions, discard_upload, officials_words, user_error
from assistant.text.markup import markdown_text

LIBRARY_QUEUE = "library"
"""Uploads, replacements and removals share one queue slot: one ingest at a time bounds memory,
while questions keep being answered on the other workers."""


def document_choices(rows: list[list]) -> list[tuple[str, str]]:
    return [(f"{row[0]} ({row[-1]})", row[-1]) for row in rows]


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

    def _unchanged(self, message: str, file_box: bool = True) -> tuple:
        """A status line that asks for what is missing, every other output (table, pickers, file box) left as it is."""
        return (f"⚠️ {message}", gr.update(), gr.update(), *(gr.update() for _ in self.pickers),
                *((gr.update(),) if file_box else ()))

    def upload(self, files, label: str | None = None, request: gr.Request = None,
               progress=gr.Progress(track_tqdm=True)):
        """Index the uploaded files; Gradio's cached copies are deleted however it goes, and the upload box emptied."""
        library = self.sessions.account(request).library()
        if not files:
            return self._unchanged("Choose one or more files under *Upload* first.")
        paths = _paths(files)
        progress(0.0, desc=f"Indexing {len(files)} file(s)")
        try:
            results, _ = library.add(paths, label or None, progress=True)
        except (AccessError, ValueError) as exc:
            raise user_error(exc) from None
        finally:
            for _, path in paths:
                discard_upload(path)
        lines = [f"- {'✅' if r.ok else '❌'} **{markdown_text(r.name)}**: {markdown_text(officials_words(r.message))}"
                 for r in results]
        return ("\n".join(lines), *self.updates(library), gr.update(value=None))

    def replace(self, source: str, file, label: str | None = None, request: gr.Request = None):
        library = self.sessions.account(request).library()
        missing = [field for field, value in (("*Document to replace or remove*", source),
                                              ("*New version*", file)) if not value]
        if missing:
            return self._unchanged(f"Choose {' and '.join(missing)} first.")
        ((original, path),) = _paths([file])
        try:
            message = library.replace(source, original, path, label or None)
        except (AccessError, ValueError) as exc:
            raise user_error(exc) from None
        finally:
            discard_upload(path)
        return (markdown_text(message), *self.updates(library), gr.update(value=None))

    def remove(self, source: str, request: gr.Request):
        library = self.sessions.account(request).library()
        if not source:
            return self._unchanged("Choose the document to remove under *Document to replace or remove* first.",
                                   file_box=False)
        try:
            removed = library.remove(source)
        except (AccessError, ValueError) as exc:
            raise user_error(exc) from None
        return (markdown_text(f"Removed {source} ({removed} passages)."), *self.updates(library))

    def list_documents(self, request: gr.Request) -> list[list]:
        return self.sessions.account(request).library().rows()

    def on_load(self, request: gr.Request) -> tuple:
        """The page's first view: the library as this user sees it, editing shown only to editors."""
        account = self.sessions.account(request)
        return (*self.updates(account.library()), gr.update(visible=account.role != "reader"))

    def layout(self, levels: tuple[str, ...]) -> dict:
        """The tab's components, wired to its actions."""
        table = gr.Dataframe([], headers=LIBRARY_COLUMNS, interactive=False, label="Indexed documents", wrap=True,
                             column_widths=LIBRARY_WIDTHS, elem_id="library")
        with gr.Group(visible=False) as editing:
            uploads = gr.File(file_count="multiple", file_types=list(SUPPORTED_SUFFIXES),
                              label="Upload PDF, DOCX, Markdown, text or HTML", elem_id="upload")
            label = gr.Dropdown(list(levels), value=None, label="Classification of the uploads "
                                "(empty: each file's own label, else public; never above your clearance)")
            upload_button = gr.Button("Index uploaded files", variant="primary", elem_id="index-uploads")
            upload_status = gr.Markdown(elem_id="upload-status")
            with gr.Row():
                with gr.Column():
                    to_change = gr.Dropdown([], allow_custom_value=True, label="Document to replace or remove")
                    with gr.Row():
                        replace_button = gr.Button("Replace document", elem_id="replace")
                        remove_button = gr.Button("Remove from index", variant="stop", elem_id="remove")
                new_version = gr.File(label="New version (to replace it)", file_types=list(SUPPORTED_SUFFIXES),
                                      elem_id="new-version", height=160)
            change_status = gr.Markdown(elem_id="change-status")
        self.pickers.append(to_change)
        return {"table": table, "editing": editing, "uploads": uploads, "label": label, "upload_button": upload_button,
                "upload_status": upload_status, "to_change": to_change, "new_version": new_version,
                "replace_button": replace_button, "remove_button": remove_button, "change_status": change_status}

    def wire(self, parts: dict, kinds: gr.components.Component, demo: gr.Blocks) -> None:
        """Connect the buttons once every tab's pickers are known."""
        refreshed = [parts["table"], kinds, *self.pickers]
        queue = dict(concurrency_limit=1, concurrency_id=LIBRARY_QUEUE)
        # Progress and errors show on the status line only: an error never covers the table.
        parts["upload_button"].click(self.upload, inputs=[parts["uploads"], parts["label"]],
                                     outputs=[parts["upload_status"], *refreshed, parts["uploads"]], api_name="upload",
                                     show_progress_on=parts["upload_status"], **queue)
        parts["replace_button"].click(self.replace, inputs=[parts["to_change"], parts["new_version"], parts["label"]],
                                      outputs=[parts["change_status"], *refreshed, parts["new_version"]],
                                      api_name="replace_document", show_progress_on=parts["change_status"], **queue)
        parts["remove_button"].click(self.remove, inputs=parts["to_change"],
                                     outputs=[parts["change_status"], *refreshed], api_name="remove_document",
                                     show_progress_on=parts["change_status"], **queue)
        gr.api(self.list_documents, api_name="list_documents")
        demo.load(self.on_load, outputs=[*refreshed, parts["editing"]], api_visibility="private")
