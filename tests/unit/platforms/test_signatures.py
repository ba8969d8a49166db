"""Webhook verification edge cases on vectors built here with the documented formulas."""

from __future__ import annotations

import base64
import hashlib
import hmac
from datetime import UTC, datetime

import attrs
import pytest

from reflector_adapters.daily.webhooks import DailySignatureCheck, decode_secret
from reflector_adapters.signatures import unix_seconds
from reflector_adapters.whereby.webhooks import WherebySignatureCheck, parse_signature_header
from reflector_core.errors import ConfigurationError, WebhookRejectedError

NOW = 1773326371
BODY = b'{"version":"1.0.0","type":"meeting.started","id":"m1","payload":{"room":"r"},"event_ts":1773326371}'
DAILY_SECRET = base64.b64encode(b"0123456789abcdef0123456789abcdef").decode()


@attrs.frozen
class Clock:
    at: float

    def now(self) -> datetime:
        return datetime.fromtimestamp(self.at, UTC)


def daily_headers(stamp: str, secret: str = DAILY_SECRET, body: bytes = BODY) -> dict[str, str]:
    digest = hmac.new(base64.b64decode(secret), stamp.encode() + b"." + body, hashlib.sha256).digest()
    return {"X-Webhook-Timestamp": stamp, "X-Webhook-Signature": base64.b64encode(digest).decode()}


def whereby_header(stamp: str, secret: str = "s3cret", body: bytes = BODY) -> str:
    return "v1=" + hmac.new(secret.encode(), stamp.encode() + b"." + body, hashlib.sha256).hexdigest()


# --- Daily -------------------------------------------------------------------------------------


def test_daily_millisecond_timestamps_are_signed_verbatim_and_windowed_as_ms() -> None:
    stamp = str(NOW * 1000 + 250)
    DailySignatureCheck([DAILY_SECRET], clock=Clock(NOW + 10)).verify(BODY, daily_headers(stamp))
    with pytest.raises(WebhookRejectedError, match="old"):
        DailySignatureCheck([DAILY_SECRET], clock=Clock(NOW + 301)).verify(BODY, daily_headers(stamp))


def test_unix_seconds_reads_both_magnitudes() -> None:
    assert unix_seconds("1773326371", "daily") == 1773326371
    assert unix_seconds("1773326371250", "daily") == pytest.approx(1773326371.25)
    assert unix_seconds("1773326371.5", "daily") == 1773326371.5


@pytest.mark.parametrize("stamp", ["", "soon", "-5", "1e9", "0x10", "١٧٧٣٣٢٦٣٧١", "9" * 40])
def test_daily_malformed_timestamps_are_rejected(stamp: str) -> None:
    headers = daily_headers("1773326371")
    headers["X-Webhook-Timestamp"] = stamp
    with pytest.raises(WebhookRejectedError):
        DailySignatureCheck([DAILY_SECRET], clock=Clock(NOW)).verify(BODY, headers)


@pytest.mark.parametrize("signature", ["", "not base64!", "é", "QUJD", "=" * 8])
def test_daily_malformed_signatures_are_rejected(signature: str) -> None:
    headers = daily_headers(str(NOW))
    headers["X-Webhook-Signature"] = signature
    with pytest.raises(WebhookRejectedError):
        DailySignatureCheck([DAILY_SECRET], clock=Clock(NOW)).verify(BODY, headers)


def test_daily_repeated_header_is_rejected() -> None:
    class Twice(dict[str, str]):
        def items(self) -> list[tuple[str, str]]:  # type: ignore[override]
            return [*super().items(), ("x-webhook-signature", "again")]

    with pytest.raises(WebhookRejectedError, match="more than one"):
        DailySignatureCheck([DAILY_SECRET], clock=Clock(NOW)).verify(BODY, Twice(daily_headers(str(NOW))))


@pytest.mark.parametrize("secret", ["not base64!", "", "   ", "QUJ", "==", "c2VjcmV0\n\t!"])
def test_daily_non_base64_secret_is_a_configuration_error(secret: str) -> None:
    with pytest.raises(ConfigurationError):
        decode_secret(secret)
    with pytest.raises(ConfigurationError):
        DailySignatureCheck([DAILY_SECRET, secret])


def test_daily_verifier_needs_a_list_of_secrets() -> None:
    with pytest.raises(ConfigurationError):
        DailySignatureCheck([])
    with pytest.raises(ConfigurationError):
        DailySignatureCheck(DAILY_SECRET)


def test_daily_body_must_be_bytes() -> None:
    with pytest.raises(WebhookRejectedError, match="raw request bytes"):
        DailySignatureCheck([DAILY_SECRET], clock=Clock(NOW)).verify(BODY.decode(), daily_headers(str(NOW)))  # type: ignore[arg-type]


def test_daily_rotation_with_two_secrets_rejects_a_third() -> None:
    second = base64.b64encode(b"second").decode()
    third = base64.b64encode(b"third").decode()
    verifier = DailySignatureCheck([DAILY_SECRET, second], clock=Clock(NOW))
    verifier.verify(BODY, daily_headers(str(NOW), DAILY_SECRET))
    verifier.verify(BODY, daily_headers(str(NOW), second))
    with pytest.raises(WebhookRejectedError):
        verifier.verify(BODY, daily_headers(str(NOW), third))


# --- Whereby -----------------------------------------------------------------------------------


def test_whereby_header_parsing() -> None:
    digest = "A" * 64
    assert parse_signature_header(f"t=1, v1={digest}") == ("1", ["a" * 64])
    assert parse_signature_header(f"v0=old,t=1,v1={digest},v1={'b' * 64}") == ("1", ["a" * 64, "b" * 64])


def test_whereby_any_of_several_v1_values_may_match() -> None:
    good = whereby_header(str(NOW))
    header = f"t={NOW},v1={'0' * 64},{good}"
    WherebySignatureCheck(["s3cret"], clock=Clock(NOW)).verify(BODY, {"Whereby-Signature": header})


def test_whereby_secret_is_used_as_text_not_base64() -> None:
    secret = base64.b64encode(b"raw").decode()
    header = f"t={NOW},{whereby_header(str(NOW), secret)}"
    WherebySignatureCheck([secret], clock=Clock(NOW)).verify(BODY, {"Whereby-Signature": header})
    assert not hmac.compare_digest(whereby_header(str(NOW), secret), whereby_header(str(NOW), "raw"))


def test_whereby_verifier_refuses_empty_secrets() -> None:
    with pytest.raises(ConfigurationError):
        WherebySignatureCheck([])
    with pytest.raises(ConfigurationError):
        WherebySignatureCheck(["ok", ""])


def test_whereby_future_timestamp_is_rejected_even_when_signed() -> None:
    stamp = str(NOW + 3600)
    header = f"t={stamp},{whereby_header(stamp)}"
    with pytest.raises(WebhookRejectedError, match="future"):
        WherebySignatureCheck(["s3cret"], clock=Clock(NOW)).verify(BODY, {"Whereby-Signature": header})
