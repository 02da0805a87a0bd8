"""Who is asking: the signed-in user's clearance and role, for every request of the web app.

Also where the app's downloads go: into Gradio's own cache, the only files the server
serves (`launch` allows no other folder and blocks the state root).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import gradio as gr
from gradio.processing_utils import save_file_to_cache
from gradio.utils import get_upload_folder

from assistant.app.access import AccessError, Users
from assistant.app.library import Library
from assistant.app.pipeline import Assistant
from assistant.app.source_names import SourceNames


_SETTING = re.compile(r"\s*\(BRIEFING_[A-Z_]+\)")


@dataclass(frozen=True)
class Account:
    """The pipeline answering as one user, and what that user's role allows."""

    assistant: Assistant
    role: str

    def library(self) -> Library:
        return Library(self.assistant, self.role)

    @property
    def names(self) -> SourceNames:
        """How this user sees documents' sources (never a server path)."""
        return SourceNames.of(self.assistant.settings)


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
            raise user_error(exc) from None


def download(path: Path) -> str:
    """A copy of `path` in Gradio's cache (named by its content's hash), to hand to a File output."""
    return save_file_to_cache(path, get_upload_folder())


def discard_upload(path: str | Path) -> None:
    """Delete Gradio's cached copy of an upload once it has been read: the cache would serve it to anyone signed in
    who has its URL, whatever the document's classification, and after the document is removed."""
    cache = Path(get_upload_folder()).resolve()
    copy = Path(path).resolve()
    if copy.is_relative_to(cache) and copy != cache:
        copy.unlink(missing_ok=True)
        if copy.parent != cache and not any(copy.parent.iterdir()):
            copy.parent.rmdir()


def officials_words(message: str) -> str:
    """A message of the lower layers as an official reads it: no setting names (those are for the administrator,
    who finds them in the server's documentation)."""
    return _SETTING.sub("", message).strip()


def user_error(exc: Exception) -> gr.Error:
    """A user-caused error as Gradio shows it: the reason in the official's words, not "the upstream app has
    raised an exception"."""
    message = officials_words(str(exc))
    return gr.Error(message[:1].upper() + message[1:], print_exception=False)
