from __future__ import annotations

import pytest

from reflector_core.apikeys import generate, hash_key, key_id_of, matches
from reflector_core.errors import InvalidInputError


def test_a_key_carries_its_id_and_matches_only_its_hash() -> None:
    key = generate()
    assert key.plaintext.startswith(f"rk_{key.key_id}_")
    assert key_id_of(key.plaintext) == key.key_id
    assert key.key_hash == hash_key(key.plaintext) and len(key.key_hash) == 64
    assert matches(key.plaintext, key.key_hash)
    assert not matches(key.plaintext + "x", key.key_hash)
    assert not matches(generate().plaintext, key.key_hash)
    assert key.plaintext not in repr(key)  # never in logs


def test_keys_are_unique_and_high_entropy() -> None:
    keys = [generate() for _ in range(200)]
    assert len({k.plaintext for k in keys}) == 200 and len({k.key_id for k in keys}) == 200
    assert all(len(k.plaintext) == len("rk_") + 12 + 1 + 43 for k in keys)


@pytest.mark.parametrize(
    "text",
    ["", "rk_", "sk_0123456789ab_" + "a" * 43, "rk_0123456789AB_" + "a" * 43, "rk_0123456789ab_" + "a" * 42, "rk_x"],
)
def test_malformed_keys_are_refused_without_echoing_them(text: str) -> None:
    with pytest.raises(InvalidInputError) as info:
        key_id_of(text)
    assert len(text) < 5 or text not in str(info.value)
