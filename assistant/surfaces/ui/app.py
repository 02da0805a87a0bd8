"""Lays the tabs out into one app; each tab's module holds its actions."""

from __future__ import annotations

import gradio as gr

from assistant.app.access import Users
from assistant.app.pipeline import Assistant
from assistant.surfaces.ui.briefing_tab import BriefingTab
from assistant.surfaces.ui.chat import ChatTab
from assistant.surfaces.ui.header import Header
from assistant.surfaces.ui.library_tab import LibraryTab
from assistant.surfaces.ui.session import Sessions
from assistant.surfaces.ui.users_api import UsersApi


def build_ui(assistant: Assistant, users: Users | None = None) -> gr.Blocks:
    """The app; with `users`, each request answers as the signed-in user's clearance and role."""
    sessions = Sessions(assistant, users)
    chat, library, briefing = ChatTab(sessions), LibraryTab(sessions), BriefingTab(sessions)
    with gr.Blocks(title="Study-visit briefing assistant", analytics_enabled=False) as demo:
        Header(sessions).layout(demo)
        with gr.Tab("Ask"):
            chat_parts = chat.layout()
        with gr.Tab("Document library"):
            library_parts = library.layout(assistant.levels.names)
        with gr.Tab("Briefing"):
            briefing_parts = briefing.layout()
        library.pickers += [chat_parts["docs"], briefing_parts["docs"]]
        library.wire(library_parts, chat_parts["kinds"], demo)
        UsersApi(sessions).wire()
    return demo
