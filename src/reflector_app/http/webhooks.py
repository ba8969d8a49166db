"""Inbound platform webhooks: verify over the raw bytes, record, enqueue, answer within milliseconds.

Daily disables a webhook after three non-2xx answers, so a correctly signed delivery is always
answered 200, even when it is malformed or of a type we ignore; only a bad signature gets 401.
No platform or storage call happens here: a worker applies the event.
"""

from __future__ import annotations

import json
import logging
from typing import Any

from litestar import Request, post
from litestar.handlers import HTTPRouteHandler

from reflector_app.container import UnitOfWorkFactory, Verifiers
from reflector_app.http.auth import PUBLIC
from reflector_app.http.openapi import documented
from reflector_app.http.parts import Part
from reflector_app.http.schemas import WebhookReply
from reflector_core.errors import NotFoundError, PayloadError
from reflector_core.events import VerificationPing
from reflector_core.model import Platform
from reflector_core.ports import Clock, JobQueue
from reflector_core.usecases.events import accept_delivery

log = logging.getLogger(__name__)

_PING = {"test": "test"}


def is_daily_ping(body: bytes) -> bool:
    """Daily's ``{"test":"test"}``, sent (possibly unsigned) when a webhook is created or updated."""
    if len(body) > 64:
        return False
    try:
        return bool(json.loads(body) == _PING)
    except ValueError:
        return False


def _receiver(platform: Platform, summary: str) -> HTTPRouteHandler:
    """``POST /v1/{platform}/webhook``: the same handler for each platform, named after it."""

    async def receive(
        request: Request[Any, Any, Any],
        webhooks: Part[Verifiers],
        unit_of_work: Part[UnitOfWorkFactory],
        queue: Part[JobQueue],
        clock: Part[Clock],
    ) -> WebhookReply:
        body = await request.body()
        if platform is Platform.DAILY and is_daily_ping(body):
            # Answered before verification: it carries nothing, and a 401 here would count toward the breaker.
            return WebhookReply("ok")
        verifier = webhooks.get(platform)
        if verifier is None:
            raise NotFoundError("webhook endpoint", platform.value)
        try:
            event = verifier.parse(body, request.headers)  # WebhookRejectedError → 401 (errors.py)
        except PayloadError as exc:
            log.warning("%s webhook signed but not understood, ignored: %s", platform.value, exc)
            return WebhookReply("ignored")
        if isinstance(event, VerificationPing):
            return WebhookReply("ok")
        delivery = await accept_delivery(
            platform,
            event,
            body.decode("utf-8", errors="replace"),
            unit_of_work=unit_of_work,
            queue=queue,
            clock=clock,
        )
        if delivery.duplicate:
            log.info("%s webhook %s is a redelivery", platform.value, event.event_id)
            return WebhookReply("duplicate")
        return WebhookReply("accepted" if delivery.enqueued else "ignored")

    receive.__name__ = receive.__qualname__ = f"{platform.value}_webhook"
    route = post(
        f"/v1/{platform.value}/webhook",
        status_code=200,
        tags=["webhooks"],
        summary=summary,
        opt=PUBLIC,
        responses=documented(401, 404, 408, 413),
    )
    return route(receive)


daily_webhook = _receiver(Platform.DAILY, "Daily.co webhook")
whereby_webhook = _receiver(Platform.WHEREBY, "Whereby webhook")

handlers = [daily_webhook, whereby_webhook]
