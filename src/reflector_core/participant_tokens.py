"""Meeting-scoped participant tokens: what lets a signed-out person in a call record their consent.

The room page (and ``POST /v1/rooms/{name}/enter``) hands each visitor one token, which the browser
keeps in a cookie so a reload does not ask again. The token names one meeting and one participant,
expires with the meeting, and is an HMAC-SHA256 under the service's secret key: only tokens the
service issued verify, and a token of one meeting is refused by every other meeting's routes.

Format: ``pt1.<base64url meeting id>.<base64url participant>.<expiry unix seconds>.<base64url MAC>``, the MAC over
everything before it. Nothing is stored: verifying needs only the key and the clock.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import secrets
from datetime import UTC, datetime

from attrs import frozen

from reflector_core.errors import AuthenticationError

VERSION = "pt1"
PARTICIPANT_PREFIX = "guest-"
"""Anonymous participants' consent is stored as ``guest-<random id>``: never mistaken for a user's name."""
MAX_TOKEN = 512


class ParticipantTokenError(AuthenticationError):
    """A participant token that the service did not issue, for another meeting, expired or malformed."""


@frozen
class ParticipantToken:
    meeting_id: str
    participant: str
    expires_at: datetime


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode("ascii").rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _mac(key: bytes, payload: str) -> str:
    return _b64(hmac.new(key, payload.encode("ascii"), hashlib.sha256).digest())


def new_participant() -> str:
    """A fresh anonymous participant id (128 random bits)."""
    return PARTICIPANT_PREFIX + secrets.token_urlsafe(16)


def issue(key: bytes, meeting_id: str, participant: str, expires_at: datetime) -> str:
    if not key:
        raise ValueError("participant tokens need a non-empty key")
    if not participant or not meeting_id:
        raise ValueError("a participant token needs a meeting and a participant")
    payload = f"{VERSION}.{_b64(meeting_id.encode())}.{_b64(participant.encode())}.{int(expires_at.timestamp())}"
    return f"{payload}.{_mac(key, payload)}"


def verify(key: bytes, token: str | None, meeting_id: str, now: datetime) -> ParticipantToken:
    """The token's participant, if ``token`` was issued under ``key`` for ``meeting_id`` and is still valid.

    Raises ``ParticipantTokenError`` otherwise; the reason is for logs, callers answer 401 whatever it is.
    """
    if not token or len(token) > MAX_TOKEN:
        raise ParticipantTokenError("no participant token" if not token else "participant token too long")
    parts = token.split(".")
    if len(parts) != 5 or parts[0] != VERSION:
        raise ParticipantTokenError("malformed participant token")
    payload, mac = token.rsplit(".", 1)
    if not hmac.compare_digest(_mac(key, payload), mac):
        raise ParticipantTokenError("participant token not issued by this service")
    _, encoded_meeting, encoded_participant, expiry = parts[:4]
    try:
        token_meeting = _unb64(encoded_meeting).decode("utf-8")
        participant = _unb64(encoded_participant).decode("utf-8")
        expires_at = datetime.fromtimestamp(int(expiry), UTC)
    except (binascii.Error, UnicodeDecodeError, ValueError, OverflowError, OSError) as exc:
        raise ParticipantTokenError(f"malformed participant token: {exc}") from exc
    if not hmac.compare_digest(token_meeting.encode(), meeting_id.encode()):
        raise ParticipantTokenError("participant token of another meeting")
    if now >= expires_at:
        raise ParticipantTokenError("participant token expired")
    return ParticipantToken(token_meeting, participant, expires_at)
