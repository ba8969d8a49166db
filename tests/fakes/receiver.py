"""A webhook receiver on 127.0.0.1 that records every POST (headers and raw body)."""

from __future__ import annotations

from http.server import BaseHTTPRequestHandler
from typing import Any

from tests.fakes.server import LocalServer


class Receiver(LocalServer):
    def __init__(self, status: int = 200) -> None:
        self.status = status
        self.received: list[tuple[dict[str, str], bytes]] = []
        super().__init__(self._handler(), "/hook")

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                receiver.received.append((dict(self.headers.items()), body))
                self.send_response(receiver.status)
                self.send_header("Content-Length", "0")
                self.end_headers()

        return Handler
