"""Serving the app: log-in with throttling, the only files served, and upload size limits.

- Gradio serves only its own cache and upload folder: no `allowed_paths`, and the state
  root (index, users file, audit log, uploads) is blocked outright.
- `max_file_size` makes Gradio refuse an oversized file while it streams in, before it is stored.
- Log-in attempts are throttled per account and per client address (see `assistant.app.throttle`).
"""

from __future__ import annotations

import contextvars
import os

from fastapi import HTTPException
from starlette.middleware import Middleware

from assistant.app.access import Users
from assistant.app.pipeline import Assistant
from assistant.app.throttle import LoginThrottle, LoginThrottled
from assistant.surfaces.ui.app import build_ui
from assistant.surfaces.ui.render import CSS, HEAD

_client_address: contextvars.ContextVar[str] = contextvars.ContextVar("client_address", default="unknown")


class ClientAddress:
    """ASGI middleware: remembers the connecting address (never a forwarded header) for the log-in check."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] == "http" and scope.get("client"):
            _client_address.set(scope["client"][0])
        await self.app(scope, receive, send)


def throttled_login(users: Users, throttle: LoginThrottle):
    """Gradio's `auth` callable: refuses while the account or the address must wait (HTTP 429), else checks."""
    def authenticate(name: str, password: str) -> bool:
        address = _client_address.get()
        try:
            throttle.check(name, address)
        except LoginThrottled as exc:
            raise HTTPException(status_code=429, detail=str(exc)) from None
        if users.authenticate(name, password):
            throttle.succeeded(name, address)
            return True
        throttle.failed(name, address)
        return False
    return authenticate


def launch(assistant: Assistant, host: str, port: int, users: Users | None = None, concurrency: int = 4) -> None:
    """Serve the app; `concurrency` requests run at once, so one long answer does not block the others.
    With `users`, Gradio asks for a log-in checked against the users file."""
    os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
    settings = assistant.settings
    demo = build_ui(assistant, users).queue(default_concurrency_limit=concurrency)
    auth = None
    if users is not None:
        auth = throttled_login(users, LoginThrottle(settings.login_max_failures, settings.login_lockout_s))
    demo.launch(server_name=host, server_port=port, footer_links=["api"], css=CSS, head=HEAD,
                blocked_paths=[str(settings.home)], max_file_size=int(settings.max_file_mb * 1024 * 1024),
                app_kwargs={"middleware": [Middleware(ClientAddress)]},
                auth=auth, auth_message="Sign in with your briefing-assistant account." if users else None)
