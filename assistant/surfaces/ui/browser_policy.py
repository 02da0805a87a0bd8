"""What the browser is told about every response: a content-security policy, no framing, and session
cookies that stay on the app's own site.

- The policy lets the page load scripts, styles, images and fonts only from the app itself (inline
  ones included: Gradio's page and the citation-link script are inline, and Gradio 6's `gr.HTML`
  builds its template with `Function`, so 'unsafe-eval' too), connect only to the app,
  post forms only to it, and be framed by no one (`frame-ancestors 'none'`, and `X-Frame-Options:
  DENY` for older browsers). A remote image or link in a document therefore loads nothing.
- Gradio sets its log-in cookie `SameSite=None`; every `Set-Cookie` is rewritten to `SameSite=Lax`,
  so no other site's page can send a request with it.
"""

from __future__ import annotations

import re

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

CONTENT_SECURITY_POLICY = "; ".join((
    "default-src 'self'",
    "script-src 'self' 'unsafe-inline' 'unsafe-eval'",
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "font-src 'self' data:",
    "media-src 'self' data: blob:",
    "worker-src 'self' blob:",
    "connect-src 'self'",
    "form-action 'self'",
    "base-uri 'self'",
    "object-src 'none'",
    "frame-ancestors 'none'",
))
HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
}
_SAME_SITE = re.compile(r";\s*samesite=[^;]*", re.IGNORECASE)


def same_site_lax(cookie: str) -> str:
    """The `Set-Cookie` value with `SameSite=Lax` in place of whatever it said."""
    return _SAME_SITE.sub("", cookie) + "; SameSite=Lax"


class BrowserPolicy:
    """ASGI middleware: the security headers on every response, and `SameSite=Lax` on every cookie it sets."""

    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_policy(message: Message) -> None:
            if message["type"] == "http.response.start":
                message.setdefault("headers", [])
                headers = MutableHeaders(scope=message)
                cookies = headers.getlist("set-cookie")
                del headers["set-cookie"]
                for cookie in cookies:
                    headers.append("set-cookie", same_site_lax(cookie))
                for name, value in HEADERS.items():
                    headers[name] = value
            await send(message)

        await self.app(scope, receive, send_with_policy)
