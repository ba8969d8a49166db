"""A fake Whereby REST API over real HTTP (127.0.0.1, a free port): meetings and room sessions."""

from __future__ import annotations

import json
import re
import uuid
from http.server import BaseHTTPRequestHandler
from typing import Any
from urllib.parse import urlparse

from tests.fakes.server import LocalServer
from tests.fakes.stand_in import send_page


class FakeWhereby(LocalServer):
    """``local_rooms=True`` gives rooms URLs on this server (``/call/{name}``, a stand-in page, loads
    recorded in ``page_loads``), so a browser test's iframe loads offline."""

    def __init__(self, api_key: str = "whereby-key", *, local_rooms: bool = False) -> None:
        self.api_key = api_key
        self.local_rooms = local_rooms
        self.page_loads: list[str] = []
        self.meetings: dict[str, dict[str, Any]] = {}
        self.requests: list[tuple[str, str, Any]] = []
        super().__init__(self._handler(), "/v1")

    @property
    def rooms_base(self) -> str:
        return f"{self.url.removesuffix('/v1')}/call" if self.local_rooms else "https://acme.whereby.com"

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def _send(self, status: int, body: Any | None) -> None:
                data = b"" if body is None else json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def _route(self, method: str) -> None:
                if method == "GET" and (page := re.fullmatch(r"/call/([^/?]+)", urlparse(self.path).path)):
                    fake.page_loads.append(page[1])
                    return send_page(self, "Whereby", page[1])
                length = int(self.headers.get("Content-Length") or 0)
                body = json.loads(self.rfile.read(length)) if length else None
                path = urlparse(self.path).path.removeprefix("/v1")
                fake.requests.append((method, self.path, body))
                if self.headers.get("Authorization") != f"Bearer {fake.api_key}":
                    return self._send(401, {"error": "Unauthorized"})
                if method == "POST" and path == "/meetings":
                    mid = str(len(fake.meetings) + 104857193)
                    room = f"/{body.get('roomNamePrefix', '')}{uuid.uuid4()}"
                    meeting = {
                        "meetingId": mid,
                        "roomName": room,
                        "roomUrl": f"{fake.rooms_base}{room}",
                        "hostRoomUrl": f"{fake.rooms_base}{room}?roomKey=fake",
                        "startDate": "2026-03-14T09:29:00.000Z",
                        "endDate": body.get("endDate"),
                    }
                    fake.meetings[mid] = meeting
                    return self._send(201, meeting)
                if method == "DELETE" and (m := re.fullmatch(r"/meetings/([^/]+)", path)):
                    fake.meetings.pop(m[1], None)
                    return self._send(204, None)
                if method == "GET" and path == "/insights/room-sessions":
                    return self._send(200, {"results": [], "cursor": None})
                return self._send(404, {"error": "Not found"})

            def do_GET(self) -> None:
                self._route("GET")

            def do_POST(self) -> None:
                self._route("POST")

            def do_DELETE(self) -> None:
                self._route("DELETE")

        return Handler
