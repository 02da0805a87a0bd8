"""User management for admins, as an API endpoint (no tab): add or update a user."""

from __future__ import annotations

import gradio as gr

from assistant.app.access import AccessError, require_role
from assistant.surfaces.ui.session import Sessions, user_error


class UsersApi:
    def __init__(self, sessions: Sessions):
        self.sessions = sessions

    def set_user(self, name: str, password: str, clearance: str, role: str, request: gr.Request) -> str:
        """Add or update a user (admins only); the password is stored only as a salted hash."""
        account = self.sessions.account(request)
        try:
            require_role(account.role, "admin", "managing users")
            if self.sessions.users is None:
                raise AccessError("no users are defined: add the first user with `briefing users add`")
            visible = account.assistant.visible
            if visible is not None and clearance not in visible:
                raise AccessError("you may not grant a clearance above your own")
            self.sessions.users.add(name, password, clearance, role)
        except AccessError as exc:
            raise user_error(exc) from None
        return f"user {name} saved with clearance {clearance} and role {role}"

    def wire(self) -> None:
        gr.api(self.set_user, api_name="set_user")
