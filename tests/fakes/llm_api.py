"""A fake OpenAI-compatible chat-completions server on 127.0.0.1.

Each request is answered by ``respond(request body) -> Reply``; a test scripts a sequence of replies
(429s, timeouts, malformed JSON, answers that ignore the schema) and then a good answer. The server
records every request body so tests can check what the client sent (the repair message, the budget).
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable, Iterable
from http.server import BaseHTTPRequestHandler
from typing import Any

from attrs import frozen

from tests.fakes.server import LocalServer


@frozen
class Reply:
    status: int = 200
    content: str | None = None
    """The assistant message's text (a JSON answer, or garbage); ``None`` with ``raw``."""
    raw: str | None = None
    """A body sent as is instead of a chat-completions envelope."""
    delay: float = 0.0
    """Seconds to wait before answering (longer than the client's timeout = a timeout)."""
    headers: tuple[tuple[str, str], ...] = ()


def answer(data: Any) -> Reply:
    return Reply(content=json.dumps(data))


def envelope(content: str, model: str) -> str:
    return json.dumps(
        {
            "id": "chatcmpl-fake",
            "object": "chat.completion",
            "model": model,
            "choices": [{"index": 0, "message": {"role": "assistant", "content": content}, "finish_reason": "stop"}],
        }
    )


class FakeLlm(LocalServer):
    def __init__(self, respond: Callable[[dict[str, Any]], Reply]) -> None:
        self.respond = respond
        self.requests: list[dict[str, Any]] = []
        self.headers: list[dict[str, str]] = []
        super().__init__(self._handler(), "/v1")

    @classmethod
    def scripted(cls, replies: Iterable[Reply], then: Callable[[dict[str, Any]], Reply] | None = None) -> FakeLlm:
        """Replies in order; after them, ``then`` (default: a 500, so a test sees an unplanned request)."""
        queue = list(replies)

        def respond(body: dict[str, Any]) -> Reply:
            if queue:
                return queue.pop(0)
            return then(body) if then else Reply(status=500, raw='{"error": "unscripted request"}')

        return cls(respond)

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def do_POST(self) -> None:
                body = json.loads(self.rfile.read(int(self.headers.get("Content-Length") or 0)))
                fake.requests.append(body)
                fake.headers.append(dict(self.headers.items()))
                if self.path != "/v1/chat/completions":
                    reply = Reply(status=404, raw='{"error": "not found"}')
                else:
                    reply = fake.respond(body)
                if reply.delay:
                    time.sleep(reply.delay)
                text = reply.raw if reply.raw is not None else envelope(reply.content or "", body.get("model", ""))
                data = text.encode()
                try:
                    self.send_response(reply.status)
                    for k, v in reply.headers:
                        self.send_header(k, v)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                except (BrokenPipeError, ConnectionResetError):  # the client gave up (timeout)
                    pass

        return Handler


TURN = re.compile(r"^\[(\d+)\] ([^(]+?) \(\d+:\d\d\): (.*)$", re.M)


def prompt_turns(body: dict[str, Any]) -> list[tuple[int, str, str]]:
    """The numbered turns a chunk request carries: ``(turn, speaker, text)``."""
    user = next(m["content"] for m in body["messages"] if m["role"] == "user")
    return [(int(n), speaker, text) for n, speaker, text in TURN.findall(user)]


def is_meeting_request(body: dict[str, Any]) -> bool:
    return not prompt_turns(body)
