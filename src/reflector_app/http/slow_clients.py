"""Deadlines for reading a request, so a slow client cannot hold a connection indefinitely.

uvicorn bounds only the idle time between requests (``timeout_keep_alive``); a client that sends its
headers or its body one byte at a time keeps the connection, and the handler waiting on the body, for as
long as it likes (slow loris). Two deadlines close that:

- ``deadline_protocol(s)``: uvicorn's h11 protocol, closing the connection when a request's headers are
  not complete ``s`` seconds after the connection opened or the previous response ended. No response is
  possible before a request line and headers exist, so the connection is just closed.
- ``BodyDeadline``: ASGI middleware answering ``408`` (with ``Connection: close``) when the body is not
  complete ``s`` seconds after the handler first asked for it.
"""

from __future__ import annotations

import asyncio
from typing import Any

import h11
from litestar.enums import ScopeType
from litestar.exceptions import HTTPException
from litestar.types import ASGIApp, Receive, ReceiveMessage, Scope, Send
from uvicorn.protocols.http.h11_impl import H11Protocol


class RequestTimeoutError(HTTPException):
    status_code = 408


class BodyDeadline:
    """Every ``receive()`` of a request body shares one deadline; once the body is in, no deadline applies
    (a server-sent stream keeps waiting for the client's disconnect for as long as it runs)."""

    def __init__(self, app: ASGIApp, *, seconds: float, streamed: tuple[str, ...] = ()) -> None:
        self.app = app
        self.seconds = seconds
        self.streamed = streamed
        """Paths whose body may take as long as it needs, as long as each read arrives within ``seconds``."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != ScopeType.HTTP:
            await self.app(scope, receive, send)
            return
        loop = asyncio.get_running_loop()
        deadline: float | None = None
        complete = False
        per_read = scope.get("path") in self.streamed

        async def receive_in_time() -> ReceiveMessage:
            nonlocal deadline, complete
            if complete:
                return await receive()
            if deadline is None or per_read:
                deadline = loop.time() + self.seconds
            try:
                message = await asyncio.wait_for(receive(), max(0.0, deadline - loop.time()))
            except TimeoutError:
                # Raised inside the handler's body read, so Litestar answers it like any other HTTP error.
                raise RequestTimeoutError(
                    detail=f"request body not received within {self.seconds:g} s",
                    headers={"Connection": "close"},
                ) from None
            complete = message["type"] != "http.request" or not message.get("more_body", False)
            return message

        await self.app(scope, receive_in_time, send)


class _HeaderDeadlineProtocol(H11Protocol):
    header_seconds: float = 10.0
    _header_timer: asyncio.TimerHandle | None = None

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._arm()

    def data_received(self, data: bytes) -> None:
        super().data_received(data)
        if self.conn.their_state is not h11.IDLE:  # the request line and headers are in
            self._disarm()

    def on_response_complete(self) -> None:
        super().on_response_complete()
        if not self.transport.is_closing() and self.conn.their_state is h11.IDLE:
            self._arm()  # the next request on this keep-alive connection gets its own deadline

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        super().connection_lost(exc)

    def _arm(self) -> None:
        self._disarm()
        self._header_timer = self.loop.call_later(self.header_seconds, self._expire)

    def _disarm(self) -> None:
        if self._header_timer is not None:
            self._header_timer.cancel()
            self._header_timer = None

    def _expire(self) -> None:
        self._header_timer = None
        if self.conn.their_state is h11.IDLE and not self.transport.is_closing():
            self.logger.info("closing a connection whose request headers took over %g s", self.header_seconds)
            self.transport.close()


def deadline_protocol(seconds: float) -> type[H11Protocol]:
    """uvicorn's ``http=`` protocol class with a ``seconds`` deadline on request headers."""
    return type("HeaderDeadlineProtocol", (_HeaderDeadlineProtocol,), {"header_seconds": seconds})


def uvicorn_options(read_timeout_seconds: float) -> dict[str, Any]:
    """The ``uvicorn.Config`` keywords that bound how long a client may take to send a request."""
    return {"http": deadline_protocol(read_timeout_seconds), "timeout_keep_alive": 5}
