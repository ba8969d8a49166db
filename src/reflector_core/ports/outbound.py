"""Outbound webhooks: Reflector telling rooms' URLs that a transcript is ready."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Protocol


class WebhookSender(Protocol):
    """POSTs one outbound webhook to a URL outside Reflector."""

    async def post(self, url: str, body: bytes, headers: Mapping[str, str]) -> int:
        """The HTTP status of the answer (redirects are not followed: a 3xx comes back as is).

        Raises ``UnsafeWebhookTargetError`` when the target is not allowed (never retried) and
        ``WebhookDeliveryError`` when no answer came (connection failure, timeout: retried).
        """
        ...
