"""A fake Daily REST API over real HTTP (127.0.0.1, a free port), for integration tests.

It answers the calls Reflector makes with the shapes of the recorded fixtures: recordings (newest
first, cursor pagination with ``starting_after``), one recording, meeting participants (404 past the
last page, as Daily does), rooms, meeting tokens, presence and recording start/stop. Tests add
recordings and participants to it; every request is logged for assertions. Recording starts are
recorded per room (``starts``); ``not_hosted_answers`` makes the next N starts of a room answer 404
"does not seem to be hosting a call" first, as Daily does in the seconds after someone joins, and a
start of an instance already running answers "has an active stream".
"""

from __future__ import annotations

import json
import re
from http.server import BaseHTTPRequestHandler
from typing import Any
from urllib.parse import parse_qs, urlparse

from tests.fakes.server import LocalServer
from tests.fakes.stand_in import send_page


class FakeDaily(LocalServer):
    """``local_rooms=True`` gives rooms a URL on this server (``/call/{name}``, a stand-in page), so a
    browser test's iframe loads offline; each load of it is recorded in ``page_loads``."""

    def __init__(self, api_key: str = "test-key", *, local_rooms: bool = False) -> None:
        self.api_key = api_key
        self.local_rooms = local_rooms
        self.page_loads: list[str] = []
        self.recordings: list[dict[str, Any]] = []  # newest first
        self.participants: dict[str, list[dict[str, Any]]] = {}
        self.requests: list[tuple[str, str]] = []
        self.rooms: dict[str, dict[str, Any]] = {}
        self.starts: list[dict[str, Any]] = []
        """Every successful start: ``{"room", "type", "instanceId"}``."""
        self.stops: list[dict[str, Any]] = []
        self.active: set[tuple[str, str]] = set()
        self.not_hosted_answers = 0
        """How many start calls answer "not hosting a call" before one succeeds (per room, from now)."""
        self._unhosted: dict[str, int] = {}
        super().__init__(self._handler(), "/v1")

    def room_url(self, name: str) -> str:
        if self.local_rooms:
            return f"{self.url.removesuffix('/v1')}/call/{name}"
        return f"https://acme.daily.co/{name}"

    def add_recording(self, webhook_payload: dict[str, Any], mtg_session_id: str | None = None) -> None:
        """Add a recording as the list API shows it, from a ``recording.ready-to-download`` payload."""
        p = webhook_payload
        self.recordings.insert(
            0,
            {
                "id": p["recording_id"],
                "room_name": p["room_name"],
                "start_ts": p["start_ts"],
                "status": p.get("status", "finished"),
                "max_participants": p.get("max_participants", 2),
                "duration": p.get("duration"),
                "s3key": p.get("s3_key"),
                "mtgSessionId": mtg_session_id,
                "tracks": [
                    {"type": t["type"], "s3Key": t["s3Key"], "size": t.get("size", 0)} for t in p.get("tracks", [])
                ],
            },
        )

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:  # keep test output quiet
                pass

            def _send(self, status: int, body: Any) -> None:
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def _route(self, method: str) -> None:
                url = urlparse(self.path)
                if method == "GET" and (page := re.fullmatch(r"/call/([^/?]+)", url.path)):
                    fake.page_loads.append(page[1])
                    return send_page(self, "Daily", page[1])
                fake.requests.append((method, self.path))
                if self.headers.get("Authorization") != f"Bearer {fake.api_key}":
                    return self._send(401, {"error": "authentication-error", "info": "bad key"})
                q = {k: v[0] for k, v in parse_qs(url.query).items()}
                path = url.path.removeprefix("/v1")
                length = int(self.headers.get("Content-Length") or 0)
                body = json.loads(self.rfile.read(length) or b"{}") if length else {}
                if method == "GET" and path == "/recordings":
                    data = fake.recordings
                    if "starting_after" in q:
                        ids = [r["id"] for r in data]
                        data = data[ids.index(q["starting_after"]) + 1 :] if q["starting_after"] in ids else []
                    limit = int(q.get("limit", 100))
                    return self._send(200, {"total_count": len(fake.recordings), "data": data[:limit]})
                if m := re.fullmatch(r"/recordings/([^/]+)", path):
                    for r in fake.recordings:
                        if r["id"] == m[1]:
                            return self._send(200, r)
                    return self._send(404, {"error": "not-found", "info": m[1]})
                if m := re.fullmatch(r"/meetings/([^/]+)/participants", path):
                    people = fake.participants.get(m[1])
                    if people is None:
                        return self._send(404, {"error": "not-found", "info": m[1]})
                    if "joined_after" in q:
                        ids = [p["participant_id"] for p in people]
                        people = people[ids.index(q["joined_after"]) + 1 :] if q["joined_after"] in ids else []
                        if not people:
                            return self._send(404, {"error": "not-found", "info": "no more participants"})
                    return self._send(200, {"data": people[: int(q.get("limit", 100))]})
                if method == "POST" and path == "/rooms":
                    room = {
                        "id": f"room-{len(fake.rooms) + 1}",
                        "name": body["name"],
                        "api_created": True,
                        "privacy": body.get("privacy", "public"),
                        "url": fake.room_url(body["name"]),
                        "created_at": "2026-03-12T14:00:00.000Z",
                        "config": body.get("properties", {}),
                    }
                    fake.rooms[body["name"]] = room
                    return self._send(200, room)
                if method == "DELETE" and (m := re.fullmatch(r"/rooms/([^/]+)", path)):
                    fake.rooms.pop(m[1], None)
                    return self._send(200, {"deleted": True, "name": m[1]})
                if m := re.fullmatch(r"/rooms/([^/]+)/presence", path):
                    return self._send(200, {"total_count": 0, "data": []})
                if method == "POST" and (m := re.fullmatch(r"/rooms/([^/]+)/recordings/(start|stop)", path)):
                    return self._recording(m[1], m[2], body)
                if method == "POST" and path == "/meeting-tokens":
                    return self._send(200, {"token": "eyJ.fake.token"})
                return self._send(404, {"error": "not-found", "info": path})

            def _recording(self, room: str, action: str, body: dict[str, Any]) -> None:
                key = (room, str(body.get("instanceId")))
                if action == "stop":
                    if key not in fake.active:
                        return self._send(400, {"error": "invalid-request-error", "info": "no active recording"})
                    fake.active.discard(key)
                    fake.stops.append({"room": room, **body})
                    return self._send(200, {"status": "ok"})
                left = fake._unhosted.setdefault(room, fake.not_hosted_answers)
                if left > 0:
                    fake._unhosted[room] = left - 1
                    info = f"room {room} does not seem to be hosting a call currently"
                    return self._send(404, {"error": "not-found", "info": info})
                if key in fake.active:
                    info = f"recording for instance {key[1]} has an active stream"
                    return self._send(400, {"error": "invalid-request-error", "info": info})
                fake.active.add(key)
                fake.starts.append({"room": room, **body})
                return self._send(200, {"status": "ok"})

            def do_GET(self) -> None:
                self._route("GET")

            def do_POST(self) -> None:
                self._route("POST")

            def do_DELETE(self) -> None:
                self._route("DELETE")

        return Handler
