"""Who is asking: the signed-in user's clearance and role, for every request of the web app.

Also where the app's downloads go: into Gradio's own cache, the only files the server
serves (`launch` allows no other folder and blocks the state root).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import gradio as gr
from gradio.processing_utils import save_file_to_cache
from gradio.utils import get_upload_folder

from assistant.app.access import AccessError, Users
from assistant.app.library import Library
from assistant.app.pipeline import Assistant


@dataclass(frozen=True)
class Account:
    """The pipeline answering as one user, and what that user's role allows."""

    assistant: Assistant
    role: str

    def library(self) -> Library:
        return Library(self.assistant, self.role)


@dataclass(frozen=True)
class Sessions:
    """Turns a Gradio request into an `Account`; without users, the single local user is an admin."""

    assistant: Assistant
    users: Users | None = None

    def account(self, request: gr.Request | None) -> Account:
        if self.users is None:
            return Account(self.assistant, "admin")
        name = getattr(request, "username", None)
        if not name:
            raise gr.Error("Please log in.")
        try:
            clearance, role = self.users.profile(name)
            return Account(self.assistant.for_clearance(clearance, user=name), role)
        except AccessError as exc:
            raise gr.Error(str(exc)) from None


def download(path: Path) -> str:
    """A copy of `path` in Gradio's cache (named by its content's hash), to hand to a File output."""
    return save_file_to_cache(path, get_upload_folder())


def user_error(exc: Exception) -> gr.Error:
    """A user-caused error as Gradio shows it: the reason, not "the upstream app has raised an exception"."""
    return gr.Error(str(exc), print_exception=False)
