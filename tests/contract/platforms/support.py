"""Replaying recorded platform answers through ``httpx.MockTransport`` and recording what was sent."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

import attrs
import httpx

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"


def fixture(name: str) -> Any:
    return json.loads((FIXTURES / name).read_text(encoding="utf-8"))


def fixture_bytes(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


Reply = httpx.Response | Callable[[httpx.Request], httpx.Response]


@attrs.define
class Step:
    method: str
    path: str
    reply: Reply


def json_reply(status: int, body: Any, headers: dict[str, str] | None = None) -> httpx.Response:
    return httpx.Response(status, json=body, headers=headers)


def raise_(exc_type: type[httpx.TransportError], message: str = "boom") -> Callable[[httpx.Request], httpx.Response]:
    def reply(request: httpx.Request) -> httpx.Response:
        raise exc_type(message, request=request)

    return reply


class Script:
    """Answers requests in the order scripted, asserting each arrives at the expected method and path."""

    def __init__(self, *steps: Step) -> None:
        self.steps = list(steps)
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        assert self.steps, f"unexpected extra request {request.method} {request.url}"
        step = self.steps.pop(0)
        # The raw (still percent-encoded) path: what the server sees, so escaping is asserted too.
        path = request.url.raw_path.decode("ascii").partition("?")[0]
        assert (request.method, path) == (step.method, step.path), (
            f"expected {step.method} {step.path}, got {request.method} {path}"
        )
        return step.reply(request) if callable(step.reply) else step.reply

    def client(self) -> httpx.AsyncClient:
        return httpx.AsyncClient(transport=httpx.MockTransport(self))

    def done(self) -> bool:
        return not self.steps

    def body(self, index: int) -> Any:
        return json.loads(self.requests[index].content)

    def query(self, index: int) -> dict[str, str]:
        return dict(self.requests[index].url.params)


class Sleeps:
    """An injectable ``sleep`` that records the waits instead of waiting."""

    def __init__(self) -> None:
        self.waits: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.waits.append(seconds)


@attrs.frozen
class FixedClock:
    at: datetime

    def now(self) -> datetime:
        return self.at
