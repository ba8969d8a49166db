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


async def deliver(
    platform: Platform,
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


@post(
    "/v1/daily/webhook",
    status_code=200,
    tags=["webhooks"],
    summary="Daily.co webhook",
    opt=PUBLIC,
    responses=documented(401, 404, 408, 413),
)
async def daily_webhook(
    request: Request[Any, Any, Any],
    webhooks: Part[Verifiers],
    unit_of_work: Part[UnitOfWorkFactory],
    queue: Part[JobQueue],
    clock: Part[Clock],
) -> WebhookReply:
    return await deliver(Platform.DAILY, request, webhooks, unit_of_work, queue, clock)


@post(
    "/v1/whereby/webhook",
    status_code=200,
    tags=["webhooks"],
    summary="Whereby webhook",
    opt=PUBLIC,
    responses=documented(401, 404, 408, 413),
)
async def whereby_webhook(
    request: Request[Any, Any, Any],
    webhooks: Part[Verifiers],
    unit_of_work: Part[UnitOfWorkFactory],
    queue: Part[JobQueue],
    clock: Part[Clock],
) -> WebhookReply:
    return await deliver(Platform.WHEREBY, request, webhooks, unit_of_work, queue, clock)


handlers = [daily_webhook, whereby_webhook]
