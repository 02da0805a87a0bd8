"""The log-in form says when to try again: Gradio's form shows a message for wrong credentials (HTTP 400) and
nothing at all for a log-in that must wait (HTTP 429), and the log-in page gets none of the app's own
scripts. So the page (`/`) is served with one small script that shows the server's "try again in N
seconds" above the form's button.
"""

from __future__ import annotations

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

SCRIPT = b"""<style>#login-notice { color: #b91c1c; font-weight: 600; margin: 8px 0; }</style>
<script>
(function () {
  const send = window.fetch;
  function notice(text) {
    let box = document.getElementById('login-notice');
    if (!box) {
      const button = Array.from(document.querySelectorAll('button')).find(b => /^\\s*log\\s*in\\s*$/i.test(b.textContent));
      if (!button) return;
      box = document.createElement('p');
      box.id = 'login-notice';
      box.setAttribute('role', 'alert');
      button.parentElement.insertBefore(box, button);
    }
    box.textContent = text;
  }
  window.fetch = async function (resource, options) {
    const response = await send.apply(this, arguments);
    const url = new URL(resource instanceof Request ? resource.url : String(resource), location.href);
    if (/\\/login\\/?$/.test(url.pathname)) {
      if (response.status === 429) {
        response.clone().json().then(body => notice(body.detail)).catch(() => notice('Too many failed log-ins: try again later.'));
      } else {
        const box = document.getElementById('login-notice');
        if (box) box.remove();
      }
    }
    return response;
  };
})();
</script>
"""


class LoginNotice:
    """ASGI middleware: the HTML of the page (`GET /`) carries `SCRIPT` in its head."""

    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "GET" or scope["path"] != "/":
            await self.app(scope, receive, send)
            return
        # Ask for the page uncompressed (it is small), so that the script can go into it.
        scope = dict(scope, headers=[(k, v) for k, v in scope["headers"] if k.lower() != b"accept-encoding"])
        start: Message = {}
        parts: list[bytes] = []

        async def send_with_script(message: Message) -> None:
            if message["type"] == "http.response.start":
                start.update(message)
                return
            if message["type"] != "http.response.body":
                await send(message)
                return
            parts.append(message.get("body", b""))
            if message.get("more_body"):
                return
            body = b"".join(parts)
            headers = MutableHeaders(scope=start)
            if headers.get("content-type", "").startswith("text/html") and b"</head>" in body:
                body = body.replace(b"</head>", SCRIPT + b"</head>", 1)
                headers["content-length"] = str(len(body))
            await send(start)
            await send({"type": "http.response.body", "body": body})

        await self.app(scope, receive, send_with_script)
