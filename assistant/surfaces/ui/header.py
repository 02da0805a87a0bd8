"""The page's header: what the assistant is, who is signed in (name, role, clearance) and a log-out button."""

from __future__ import annotations

import gradio as gr

from assistant.surfaces.ui.session import Sessions
from assistant.text.markup import markdown_text


class Header:
    def __init__(self, sessions: Sessions):
        self.sessions = sessions

    def who(self, request: gr.Request) -> str:
        """"Signed in as **ada**: admin, cleared for restricted documents", or the single local user's line."""
        account = self.sessions.account(request)
        clearance = account.assistant.clearance or account.assistant.levels.highest
        if self.sessions.users is None:
            return f"Single local user: {account.role}, cleared for {clearance} documents (no users defined)"
        return (f"Signed in as **{markdown_text(account.assistant.user)}**: {account.role}, "
                f"cleared for {markdown_text(clearance)} documents")

    def layout(self, demo: gr.Blocks) -> None:
        assistant = self.sessions.assistant
        with gr.Row(equal_height=True):
            gr.Markdown(
                "## Study-visit briefing assistant\n"
                "Answers come only from the indexed documents, and every sentence cites its passage. "
                f"Mode: {assistant.mode}."
                + (" You see only documents within your clearance." if self.sessions.users else ""), scale=4)
            with gr.Column(scale=1, min_width=240):
                who = gr.Markdown(elem_id="who-am-i")
                gr.Button("Log out", link="/logout", link_target="_self", size="sm", elem_id="log-out",
                          visible=self.sessions.users is not None)
        demo.load(self.who, outputs=who, api_visibility="private")
