"""Sharing a transcript: private (the default), by link, or with named users.

- **Link**: a random 256-bit token in a URL that opens the transcript read-only, signed out, audio
  included unless it was deleted. Only the token's SHA-256 is stored (as for API keys: nobody guesses
  a 256-bit value, so a fast hash is enough and allows an indexed lookup), so the owner sees the URL
  once; asking for a link again makes a new one and the old one stops working at once, as it does
  when the link is revoked.
- **Named users**: they find the transcript in their library and read it; only the owner changes it.

Only the owner changes sharing. Anyone else (a reader it is shared with included) gets
``NotFoundError``, exactly as for a transcript that does not exist.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from datetime import datetime

from attrs import frozen

from reflector_core.apikeys import hash_key
from reflector_core.errors import InvalidInputError, NotFoundError
from reflector_core.model import Transcript
from reflector_core.ports import Clock, UnitOfWork
from reflector_core.usecases.access import transcript_of

TOKEN_BYTES = 32
"""256 bits of ``secrets`` randomness per link (the issue asks for at least 128)."""
MAX_TOKEN = 100


@frozen
class Sharing:
    """How a transcript is shared now (the owner's view)."""

    transcript_id: str
    link_created_at: datetime | None
    users: tuple[str, ...]

    @property
    def mode(self) -> str:
        """``private``, ``link``, ``users`` or ``link+users``."""
        parts = [m for m, on in (("link", self.link_created_at is not None), ("users", bool(self.users))) if on]
        return "+".join(parts) or "private"


async def _sharing(uow: UnitOfWork, transcript_id: str) -> Sharing:
    return Sharing(
        transcript_id=transcript_id,
        link_created_at=await uow.shares.link_created(transcript_id),
        users=tuple(sorted(await uow.shares.users(transcript_id))),
    )


async def sharing_of(transcript_id: str, *, owner: str, unit_of_work: Callable[[], UnitOfWork]) -> Sharing:
    async with unit_of_work() as uow:
        await transcript_of(uow, transcript_id, owner)
        return await _sharing(uow, transcript_id)


async def share_link(transcript_id: str, *, owner: str, unit_of_work: Callable[[], UnitOfWork], clock: Clock) -> str:
    """A new link token for ``owner``'s transcript (shown once); any earlier link stops working."""
    token = secrets.token_urlsafe(TOKEN_BYTES)
    async with unit_of_work() as uow:
        await transcript_of(uow, transcript_id, owner)
        await uow.shares.set_link(transcript_id, hash_key(token), clock.now())
        await uow.commit()
    return token


async def revoke_link(transcript_id: str, *, owner: str, unit_of_work: Callable[[], UnitOfWork]) -> Sharing:
    """Idempotent: without a link there is nothing to revoke, and the answer is the same."""
    async with unit_of_work() as uow:
        await transcript_of(uow, transcript_id, owner)
        await uow.shares.drop_link(transcript_id)
        await uow.commit()
        return await _sharing(uow, transcript_id)


async def make_private(transcript_id: str, *, owner: str, unit_of_work: Callable[[], UnitOfWork]) -> Sharing:
    """No link, no named users: only the owner reads it again."""
    async with unit_of_work() as uow:
        await transcript_of(uow, transcript_id, owner)
        await uow.shares.drop_link(transcript_id)
        for user in await uow.shares.users(transcript_id):
            await uow.shares.drop_user(transcript_id, user)
        await uow.commit()
        return await _sharing(uow, transcript_id)


async def share_with_user(
    transcript_id: str, username: str, *, owner: str, unit_of_work: Callable[[], UnitOfWork], clock: Clock
) -> Sharing:
    """Let user ``username`` read ``owner``'s transcript; ``NotFoundError`` when there is no such user."""
    name = username.strip()
    if name == owner:
        raise InvalidInputError("the owner reads their own transcript already")
    async with unit_of_work() as uow:
        await transcript_of(uow, transcript_id, owner)
        if not name or await uow.users.get(name) is None:
            raise NotFoundError("user", name)
        await uow.shares.add_user(transcript_id, name, clock.now())
        await uow.commit()
        return await _sharing(uow, transcript_id)


async def unshare_user(
    transcript_id: str, username: str, *, owner: str, unit_of_work: Callable[[], UnitOfWork]
) -> Sharing:
    """``NotFoundError`` when it was not shared with that user, so a typo is not reported as done."""
    async with unit_of_work() as uow:
        await transcript_of(uow, transcript_id, owner)
        if not await uow.shares.drop_user(transcript_id, username.strip()):
            raise NotFoundError("share with user", username)
        await uow.commit()
        return await _sharing(uow, transcript_id)


async def transcript_by_link(token: str, *, unit_of_work: Callable[[], UnitOfWork]) -> Transcript:
    """The transcript a link opens; ``NotFoundError`` for an unknown or revoked token."""
    if not 0 < len(token) <= MAX_TOKEN:
        raise NotFoundError("shared transcript", "link")
    async with unit_of_work() as uow:
        transcript_id = await uow.shares.by_link(hash_key(token))
        transcript = await uow.transcripts.get(transcript_id) if transcript_id else None
    if transcript is None:
        # The token is never echoed: it is a secret, possibly pasted where it should not have been.
        raise NotFoundError("shared transcript", "link")
    return transcript
