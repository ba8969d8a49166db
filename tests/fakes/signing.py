"""Signing webhooks the way Daily and Whereby do, to post real signed requests in tests."""

from __future__ import annotations

import base64
import hashlib
import hmac


def daily_headers(secret_b64: str, timestamp: int, body: bytes) -> dict[str, str]:
    key = base64.b64decode(secret_b64)
    digest = hmac.new(key, str(timestamp).encode() + b"." + body, hashlib.sha256).digest()
    return {
        "Content-Type": "application/json",
        "X-Webhook-Timestamp": str(timestamp),
        "X-Webhook-Signature": base64.b64encode(digest).decode(),
    }


def whereby_headers(secret: str, timestamp: int, body: bytes) -> dict[str, str]:
    digest = hmac.new(secret.encode(), str(timestamp).encode() + b"." + body, hashlib.sha256).hexdigest()
    return {"Content-Type": "application/json", "Whereby-Signature": f"t={timestamp},v1={digest}"}
