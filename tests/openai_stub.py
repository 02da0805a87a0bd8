"""A local OpenAI-compatible HTTP server with scripted replies.

The remote LLM cannot be reached here, so tests of the LLM path talk to this
stub through the real OpenAI client: only the HTTP model boundary is fake.
"""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class OpenAIStub:
    """Serves `/v1/chat/completions` with scripted replies.

    `replies` is a list (each request takes the next; the last one repeats) or a
    function of the request body that returns the reply text. A streamed reply is sent 8 characters at a
    time, `delay_s` apart (as a model writes); `finished_at` is when the last one was sent (time.monotonic).
    """

    def __init__(self, replies, status: int = 200, delay_s: float = 0.0):
        self.replies = replies if callable(replies) else list(replies)
        self.status = status
        self.delay_s = delay_s
        self.finished_at: float | None = None
        self.requests: list[dict] = []
        stub = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):  # keep test output clean
                pass

            def do_POST(self):
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                stub.requests.append({"path": self.path, "body": body, "authorization": self.headers.get("Authorization")})
                if stub.status != 200:
                    self.send_response(stub.status)
                    self.send_header("Content-Type", "application/json")
                    self.end_headers()
                    self.wfile.write(b'{"error": {"message": "scripted failure"}}')
                    return
                text = stub.next_reply(body)
                if body.get("stream"):
                    self._stream(body, text)
                else:
                    self._complete(body, text)

            def _complete(self, body, text):
                payload = {
                    "id": "chatcmpl-stub", "object": "chat.completion", "created": int(time.time()),
                    "model": body.get("model", "stub"),
                    "choices": [{"index": 0, "message": {"role": "assistant", "content": text}, "finish_reason": "stop"}],
                    "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2},
                }
                data = json.dumps(payload).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def _stream(self, body, text):
                self.send_response(200)
                self.send_header("Content-Type", "text/event-stream")
                self.end_headers()
                pieces = [text[i:i + 8] for i in range(0, len(text), 8)]
                for index, piece in enumerate(pieces + [None]):
                    delta = {"content": piece} if piece is not None else {}
                    chunk = {
                        "id": "chatcmpl-stub", "object": "chat.completion.chunk", "created": int(time.time()),
                        "model": body.get("model", "stub"),
                        "choices": [{"index": 0, "delta": ({"role": "assistant"} if index == 0 else {}) | delta,
                                     "finish_reason": None if piece is not None else "stop"}],
                    }
                    self.wfile.write(f"data: {json.dumps(chunk)}\n\n".encode())
                    self.wfile.flush()
                    if piece is not None and stub.delay_s:
                        time.sleep(stub.delay_s)
                stub.finished_at = time.monotonic()
                self.wfile.write(b"data: [DONE]\n\n")
                self.wfile.flush()

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def next_reply(self, body: dict) -> str:
        if callable(self.replies):
            return self.replies(body)
        return self.replies.pop(0) if len(self.replies) > 1 else self.replies[0]

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/v1"

    def __enter__(self) -> "OpenAIStub":
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()
