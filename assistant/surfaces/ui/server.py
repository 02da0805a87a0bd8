"""Serving the app: log-in with throttling, requests only from the app's own pages, the only files
served, and upload size limits.

- The Gradio app is mounted on a FastAPI app of our own whose middleware comes first: the browser
  policy (`browser_policy`: security headers, SameSite cookies), the origin guard (`origin_guard`:
  pages of other sites are refused), the log-in page's notice (`login_notice`), then CORS for `BRIEFING_ALLOWED_ORIGINS` only (with it in place,
  Gradio adds no CORS headers of its own, which would echo any origin).
- Gradio serves only its own cache and upload folder: no `allowed_paths`, and the state
  root (index, embedded database) is blocked outright.
- `max_file_size` makes Gradio refuse an oversized file while it streams in, before it is stored.
- Log-in attempts are throttled per account and per client address (see `assistant.app.throttle`), counted in
  the database; log-in sessions live there too (`assistant.app.login_sessions`), under a cookie name all servers
  share, so a user signed in through one server is signed in on every other.
- `/healthz` answers 200 while the server and its database answer (the proxy's health check).
"""

from __future__ import annotations

import contextvars
import os

import gradio as gr
import uvicorn
from fastapi import FastAPI, HTTPException
from fastapi.responses import PlainTextResponse
from gradio.routes import App as GradioApp
from sqlalchemy import text
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware

from assistant.app.access import Users
from assistant.app.login_sessions import LoginSessions, shared_value
from assistant.app.pipeline import Assistant
from assistant.app.throttle import LoginThrottle, LoginThrottled
from assistant.surfaces.ui.app import build_ui
from assistant.surfaces.ui.browser_policy import BrowserPolicy
from assistant.surfaces.ui.login_notice import LoginNotice
from assistant.surfaces.ui.origin_guard import OriginGuard
from assistant.surfaces.ui.page import CSS, HEAD

GRACEFUL_SHUTDOWN_S = 1
_client_address: contextvars.ContextVar[str] = contextvars.ContextVar("client_address", default="unknown")


class ClientAddress:
    """ASGI middleware: remembers the client's address for the log-in check (the connecting address, or the
    address a proxy on 127.0.0.1 reports: uvicorn trusts `X-Forwarded-For` only from FORWARDED_ALLOW_IPS)."""

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


def create_app(assistant: Assistant, users: Users | None = None, concurrency: int = 4) -> FastAPI:
    """The served application; `concurrency` requests run at once, so one long answer does not block the others.
    With `users`, Gradio asks for a log-in checked against the users in the database."""
    os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
    settings = assistant.settings
    demo = build_ui(assistant, users).queue(default_concurrency_limit=concurrency)
    auth = None
    if users is not None:
        auth = throttled_login(users, LoginThrottle(assistant.database, settings.login_max_failures,
                                                    settings.login_lockout_s))
    app = FastAPI(docs_url=None, redoc_url=None, openapi_url=None, middleware=[
        Middleware(BrowserPolicy),
        Middleware(OriginGuard, allowed=settings.allowed_origins),
        Middleware(LoginNotice),
        Middleware(CORSMiddleware, allow_origins=list(settings.allowed_origins), allow_credentials=True,
                   allow_methods=["*"], allow_headers=["*"]),
        Middleware(ClientAddress),
    ])
    app.add_api_route("/healthz", health_check(assistant), methods=["GET", "HEAD"], include_in_schema=False)
    app = gr.mount_gradio_app(
        app, demo, path="/", footer_links=["api"], css=CSS, head=HEAD,
        blocked_paths=[str(settings.home)], max_file_size=int(settings.max_file_mb * 1024 * 1024),
        auth=auth, auth_message="Sign in with your briefing-assistant account." if users else None)
    share_sessions(app, assistant)
    return app


def health_check(assistant: Assistant):
    """`GET /healthz`: 200 "ok" while this server and its database answer, else 503 with the reason."""
    def healthz() -> PlainTextResponse:
        try:
            with assistant.database.connect() as connection:
                connection.execute(text("SELECT 1"))
        except Exception as exc:  # noqa: BLE001 - any failure takes the server out of the proxy's rotation
            return PlainTextResponse(f"database unavailable: {exc.__class__.__name__}", status_code=503)
        return PlainTextResponse("ok")
    return healthz


def share_sessions(app: FastAPI, assistant: Assistant) -> None:
    """Keep Gradio's log-in sessions in the database, under the cookie name every server shares."""
    for route in app.routes:
        mounted = getattr(route, "app", None)
        if isinstance(mounted, GradioApp):
            mounted.tokens = LoginSessions(assistant.database)
            mounted.cookie_id = shared_value(assistant.database, "session_cookie_id")


def launch(assistant: Assistant, host: str, port: int, users: Users | None = None, concurrency: int = 4) -> None:
    """Serve the app on `host:port` until interrupted (Ctrl-C or SIGTERM: requests in flight get a second to finish)."""
    app = create_app(assistant, users, concurrency)
    print(f"Serving on http://{host}:{port}", flush=True)
    uvicorn.run(app, host=host, port=port, log_level="warning", timeout_graceful_shutdown=GRACEFUL_SHUTDOWN_S)
