"""API keys: issuing one to an owner, revoking it, and turning a presented key into its owner.

Only the key's hash reaches the repository (see ``reflector_core.apikeys``); the plaintext exists in
memory for the one moment it is shown to whoever created it.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable

from reflector_core import apikeys
from reflector_core.apikeys import ApiKeyInfo, NewApiKey
from reflector_core.errors import AuthenticationError, InvalidInputError, NotFoundError
from reflector_core.ports import Clock, UnitOfWork

MAX_OWNER = 200


def check_owner(owner: str) -> str:
    """The owner name as stored: trimmed, 1–200 characters, no control characters."""
    cleaned = owner.strip()
    if not 0 < len(cleaned) <= MAX_OWNER:
        raise InvalidInputError(f"owner must be 1 to {MAX_OWNER} characters")
    # Owners appear in logs and listings; a control character there could forge log lines.
    if any(unicodedata.category(c).startswith("C") for c in cleaned):
        raise InvalidInputError("owner must not contain control characters")
    return cleaned


async def create_api_key(owner: str, *, unit_of_work: Callable[[], UnitOfWork], clock: Clock) -> NewApiKey:
    """A new key for ``owner``; the caller shows ``plaintext`` once, the repository keeps id and hash."""
    name = check_owner(owner)
    key = apikeys.generate()
    async with unit_of_work() as uow:
        await uow.api_keys.add(key.key_id, key.key_hash, name, clock.now())
        await uow.commit()
    return key


async def revoke_api_key(key_or_id: str, *, unit_of_work: Callable[[], UnitOfWork]) -> str:
    """Revoke by id (or by the whole key, when that is what was pasted); returns the id.

    ``NotFoundError`` when no active key has that id, so a typo is not reported as success.
    """
    text = key_or_id.strip()
    key_id = apikeys.key_id_of(text) if text.startswith(apikeys.PREFIX) else text
    async with unit_of_work() as uow:
        revoked = await uow.api_keys.revoke(key_id)
        await uow.commit()
    if not revoked:
        raise NotFoundError("active API key", key_id)
    return key_id


async def list_api_keys(owner: str, *, unit_of_work: Callable[[], UnitOfWork]) -> list[ApiKeyInfo]:
    """The owner's keys (ids and dates: a key itself is shown only to whoever created it, once)."""
    async with unit_of_work() as uow:
        return await uow.api_keys.for_owner(owner)


async def revoke_own_api_key(key_id: str, *, owner: str, unit_of_work: Callable[[], UnitOfWork]) -> None:
    """Revoke one of ``owner``'s active keys; anyone else's, or a revoked one, is ``NotFoundError``."""
    async with unit_of_work() as uow:
        revoked = await uow.api_keys.revoke(key_id.strip(), owner=owner)
        await uow.commit()
    if not revoked:
        raise NotFoundError("active API key", key_id)


async def authenticate(presented: str | None, *, unit_of_work: Callable[[], UnitOfWork]) -> str:
    """The owner of ``presented``; ``AuthenticationError`` when it is missing, malformed, unknown or revoked."""
    if not presented:
        raise AuthenticationError("an API key is required")
    try:
        apikeys.key_id_of(presented)
    except InvalidInputError:
        # Refused before any lookup: a malformed value costs no database round trip.
        raise AuthenticationError("malformed API key") from None
    async with unit_of_work() as uow:
        owner = await uow.api_keys.owner_of(apikeys.hash_key(presented))
    if owner is None:
        raise AuthenticationError("unknown or revoked API key")
    return owner
