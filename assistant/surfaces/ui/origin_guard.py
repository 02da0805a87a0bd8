"""Refuses requests that pages of other websites make with a signed-in user's session (cross-site request forgery).

A browser says where a request comes from: `Sec-Fetch-Site` (the browser's own verdict), `Origin`
(sent with every cross-origin request and every POST) or, failing those, `Referer`. A request is
let through when the browser says it comes from the app's own origin, or from one of
`BRIEFING_ALLOWED_ORIGINS`; a request that says it comes from anywhere else is refused with 403
before it reaches the app, log-in, log-out and file routes included. A request with none of these
headers comes from no browser page (a script, `gradio_client`), carries no one's cookies but its
own, and goes through. Only the page itself and its static assets may be loaded from anywhere
(a link from another site opens the app).

The app's own origin is the scheme and `Host` of the request; behind a TLS proxy the scheme is
the one the proxy reports (uvicorn trusts `X-Forwarded-Proto` from 127.0.0.1 only, see
FORWARDED_ALLOW_IPS) and the proxy must pass the browser's `Host` on (README: "Serving on a hostname").
"""

from __future__ import annotations

import logging

from starlette.datastructures import Headers
from starlette.responses import PlainTextResponse
from starlette.types import ASGIApp, Receive, Scope, Send

from assistant.config.origins import origin_of

log = logging.getLogger(__name__)
PAGE_PATHS = ("/", "/favicon.ico", "/theme.css", "/robots.txt", "/manifest.json")
ASSET_PREFIXES = ("/assets/", "/static/", "/svelte/", "/pwa_icon")
REPORTED_SOURCES = 100
"""Distinct refused sources logged (the first of each), so a flood of made-up origins cannot fill the log."""
TRUSTED_FETCH_SITES = ("same-origin", "none")
"""`Sec-Fetch-Site` values a page of another site cannot cause: the app's own page, or the user typing the address."""


def request_source(headers: Headers) -> str | None:
    """Where the browser says the request comes from: its `Origin` ("null" for an opaque one), else its `Referer`'s origin."""
    origin = headers.get("origin")
    if origin is not None:
        return origin_of(origin) or "null"
    referer = headers.get("referer")
    return (origin_of(referer) or "null") if referer else None


def own_origin(scope: Scope, headers: Headers) -> str | None:
    return origin_of(f"{scope.get('scheme', 'http')}://{headers.get('host', '')}")


class OriginGuard:
    """ASGI middleware: 403 for a request from a browser page of an origin that is neither the app's nor allowed."""

    def __init__(self, app: ASGIApp, allowed: tuple[str, ...] = ()):
        self.app = app
        self.allowed = frozenset(allowed)
        self._reported: set[str] = set()

    @staticmethod
    def _open_to_all(scope: Scope) -> bool:
        """The page and its static files: loading them does nothing and reads nothing of anyone's."""
        path = scope.get("path", "")
        return scope["method"] in ("GET", "HEAD") and (path in PAGE_PATHS or path.startswith(ASSET_PREFIXES))

    def allows(self, scope: Scope, headers: Headers) -> tuple[bool, str | None]:
        """(whether to let the request through, where the browser says it comes from)."""
        fetch_site = headers.get("sec-fetch-site")
        source = request_source(headers)
        if fetch_site == "same-origin":
            return True, source
        if source is not None:
            return source in self.allowed or source == own_origin(scope, headers), source
        return fetch_site is None or fetch_site in TRUSTED_FETCH_SITES, f"a {fetch_site} page"

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or self._open_to_all(scope):
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        allowed, source = self.allows(scope, headers)
        if allowed:
            await self.app(scope, receive, send)
            return
        own = own_origin(scope, headers)
        if source not in self._reported and len(self._reported) < REPORTED_SOURCES:
            self._reported.add(source)
            log.warning("refused a request to %s from %s: not this app's origin (%s) nor in BRIEFING_ALLOWED_ORIGINS",
                        scope.get("path"), source, own)
        response = PlainTextResponse(
            f"Refused: this request comes from {source}, not from this app ({own}). "
            "An administrator may allow another site with BRIEFING_ALLOWED_ORIGINS.", status_code=403)
        await response(scope, receive, send)
