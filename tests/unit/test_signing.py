from __future__ import annotations

import pytest

from reflector_core.errors import WebhookRejectedError
from reflector_core.signing import header_of, sign, signature, verify

SECRET = "whsec-test-secret"
T = 1773324000
BODY = b'{"event":"transcript.completed","event_id":"evt_1"}'
# Computed independently: printf '%s' "1773324000.$BODY" | openssl dgst -sha256 -hmac whsec-test-secret
VECTOR = "fb40e979b5ad494001ea51c0dab03efb2c673d310a6b8abf1311a3409b60f81f"


def test_the_signature_matches_the_published_formula() -> None:
    assert signature(SECRET, T, BODY) == VECTOR
    assert sign(SECRET, T, BODY) == f"t={T},v1={VECTOR}"


def test_a_signed_body_verifies_and_returns_its_timestamp() -> None:
    assert verify(SECRET, BODY, sign(SECRET, T, BODY), now=T + 10) == T


@pytest.mark.parametrize(
    ("body", "header", "now", "why"),
    [
        (BODY + b" ", f"t={T},v1={VECTOR}", T, "does not match"),  # whitespace changes the bytes
        (BODY, f"t={T},v1={VECTOR[:-1]}0", T, "does not match"),
        (BODY, f"t={T},v1={VECTOR}", T + 301, "outside"),  # stale
        (BODY, f"t={T},v1={VECTOR}", T - 301, "outside"),  # from the future
        (BODY, f"v1={VECTOR}", T, "no timestamp"),
        (BODY, f"t={T}", T, "no v1"),
        (BODY, f"t=soon,v1={VECTOR}", T, "non-numeric"),
        (BODY, "garbage", T, "malformed"),
        (BODY, None, T, "missing"),
    ],
)
def test_tampered_stale_or_malformed_deliveries_are_rejected(
    body: bytes, header: str | None, now: int, why: str
) -> None:
    with pytest.raises(WebhookRejectedError, match=why):
        verify(SECRET, body, header, now=now)


def test_the_window_edge_is_inclusive() -> None:
    assert verify(SECRET, BODY, sign(SECRET, T, BODY), now=T + 300) == T


def test_rotation_one_matching_secret_or_value_is_enough() -> None:
    other = sign("old-secret", T, BODY).split(",")[1]
    assert verify(["old-secret", SECRET], BODY, sign(SECRET, T, BODY), now=T) == T
    assert verify(SECRET, BODY, f"t={T},{other},v1={VECTOR},v2=ignored", now=T) == T
    with pytest.raises(WebhookRejectedError):
        verify([], BODY, sign(SECRET, T, BODY), now=T)


def test_the_header_is_found_whatever_its_case() -> None:
    assert header_of({"x-reflector-signature": "t=1,v1=a"}) == "t=1,v1=a"
    assert header_of({"Content-Type": "application/json"}) is None
