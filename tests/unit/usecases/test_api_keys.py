"""API keys: issuing, revoking and authenticating, over the memory fakes."""

from __future__ import annotations

import pytest

from reflector_core import apikeys
from reflector_core.errors import AuthenticationError, InvalidInputError, NotFoundError
from reflector_core.usecases.api_keys import authenticate, create_api_key, revoke_api_key
from tests.fakes.memory import FixedClock, MemoryStore, MemoryUnitOfWork


@pytest.fixture
def store() -> MemoryStore:
    return MemoryStore()


def _uow(store: MemoryStore) -> MemoryUnitOfWork:
    return MemoryUnitOfWork(store)


async def test_a_created_key_authenticates_as_its_owner(store: MemoryStore) -> None:
    key = await create_api_key("  ana  ", unit_of_work=lambda: _uow(store), clock=FixedClock())
    assert await authenticate(key.plaintext, unit_of_work=lambda: _uow(store)) == "ana"
    stored_hash, owner, _, revoked = store.api_keys[key.key_id]
    assert (stored_hash, owner, revoked) == (apikeys.hash_key(key.plaintext), "ana", False)


async def test_only_the_hash_is_stored(store: MemoryStore) -> None:
    key = await create_api_key("ana", unit_of_work=lambda: _uow(store), clock=FixedClock())
    # The secret is everything after "rk_<id>_" (it may itself contain "_", so split once from the left).
    secret = key.plaintext.removeprefix("rk_").split("_", 1)[1]
    dumped = repr(store.api_keys)
    assert key.plaintext not in dumped
    assert secret not in dumped


async def test_missing_malformed_unknown_and_revoked_keys_are_refused(store: MemoryStore) -> None:
    key = await create_api_key("ana", unit_of_work=lambda: _uow(store), clock=FixedClock())
    unknown = apikeys.generate().plaintext
    for presented, reason in [
        (None, "required"),
        ("", "required"),
        ("rk_nothex", "malformed"),
        (key.plaintext + "x", "malformed"),
        (unknown, "unknown or revoked"),
    ]:
        with pytest.raises(AuthenticationError, match=reason):
            await authenticate(presented, unit_of_work=lambda: _uow(store))
    assert await revoke_api_key(key.key_id, unit_of_work=lambda: _uow(store)) == key.key_id
    with pytest.raises(AuthenticationError, match="unknown or revoked") as info:
        await authenticate(key.plaintext, unit_of_work=lambda: _uow(store))
    assert key.plaintext not in str(info.value)


async def test_revoke_by_the_whole_key_and_twice(store: MemoryStore) -> None:
    key = await create_api_key("ana", unit_of_work=lambda: _uow(store), clock=FixedClock())
    other = await create_api_key("ana", unit_of_work=lambda: _uow(store), clock=FixedClock())
    assert await revoke_api_key(f" {key.plaintext} ", unit_of_work=lambda: _uow(store)) == key.key_id
    with pytest.raises(NotFoundError):
        await revoke_api_key(key.key_id, unit_of_work=lambda: _uow(store))
    with pytest.raises(NotFoundError):
        await revoke_api_key("000000000000", unit_of_work=lambda: _uow(store))
    # Revoking one key leaves the owner's other keys working.
    assert await authenticate(other.plaintext, unit_of_work=lambda: _uow(store)) == "ana"


@pytest.mark.parametrize("owner", ["", "   ", "x" * 201, "ana\nINFO forged", "a\x00b"])
async def test_bad_owner_names_are_refused(store: MemoryStore, owner: str) -> None:
    with pytest.raises(InvalidInputError):
        await create_api_key(owner, unit_of_work=lambda: _uow(store), clock=FixedClock())
    assert store.api_keys == {}
