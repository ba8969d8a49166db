"""Rooms: creating, changing and removing the places meetings happen in."""

from __future__ import annotations

import enum
from collections.abc import Callable, Collection
from typing import Final
from urllib.parse import urlsplit

import attrs
from attrs import frozen

from reflector_core.errors import InvalidInputError, NotFoundError
from reflector_core.languages import Languages
from reflector_core.model import ConsentPolicy, Platform, RecordingKind, Room
from reflector_core.naming import validate_room_name
from reflector_core.ports import UnitOfWork
from reflector_core.usecases.access import room_of

MAX_URL = 2048
MAX_SECRET = 512


class _Unchanged(enum.Enum):
    UNCHANGED = "unchanged"


UNCHANGED: Final = _Unchanged.UNCHANGED
"""A field of ``RoomChanges`` the caller did not mention (``None`` means "clear it")."""


@frozen(kw_only=True)
class RoomChanges:
    platform: Platform | _Unchanged = UNCHANGED
    recording_kind: RecordingKind | _Unchanged = UNCHANGED
    locked: bool | _Unchanged = UNCHANGED
    consent_policy: ConsentPolicy | _Unchanged = UNCHANGED
    webhook_url: str | _Unchanged | None = UNCHANGED
    webhook_secret: str | _Unchanged | None = UNCHANGED
    language: str | _Unchanged = UNCHANGED

    def apply(self, room: Room) -> Room:
        changed = {k: v for k, v in attrs.asdict(self, recurse=False).items() if v is not UNCHANGED}
        return attrs.evolve(room, **changed)


def check_room(room: Room, platforms: Collection[Platform] | None = None, languages: Languages | None = None) -> Room:
    """The room with its language normalised; ``InvalidInputError`` unless its settings can work.

    ``languages``: what this server's transcriber can do (an English-only model refuses ``auto``/``de``).
    """
    validate_room_name(room.name)
    if room.platform is Platform.UPLOAD:
        raise InvalidInputError("upload is not a video platform a room can use")
    if languages is not None:
        room = attrs.evolve(room, language=languages.check(room.language))
    if platforms is not None and room.platform not in platforms:
        raise InvalidInputError(f"platform {room.platform.value} is not configured on this server")
    if room.webhook_url is not None:
        parts = urlsplit(room.webhook_url)
        if len(room.webhook_url) > MAX_URL or parts.scheme not in ("http", "https") or not parts.hostname:
            raise InvalidInputError(f"webhook_url must be an http(s) URL of at most {MAX_URL} characters")
    if room.webhook_secret is not None and not 0 < len(room.webhook_secret) <= MAX_SECRET:
        raise InvalidInputError(f"webhook_secret must be 1 to {MAX_SECRET} characters")
    return room


async def get_room(name: str, *, unit_of_work: Callable[[], UnitOfWork]) -> Room:
    async with unit_of_work() as uow:
        room = await uow.rooms.get(name)
    if room is None:
        raise NotFoundError("room", name)
    return room


async def create_room(
    room: Room,
    *,
    unit_of_work: Callable[[], UnitOfWork],
    platforms: Collection[Platform] | None = None,
    languages: Languages | None = None,
) -> Room:
    """Store a new room; ``ConflictError`` when the name is taken."""
    room = check_room(room, platforms, languages)
    async with unit_of_work() as uow:
        stored = await uow.rooms.add(attrs.evolve(room, id=None))
        await uow.commit()
    return stored


async def update_room(
    name: str,
    changes: RoomChanges,
    *,
    owner: str,
    unit_of_work: Callable[[], UnitOfWork],
    platforms: Collection[Platform] | None = None,
    languages: Languages | None = None,
) -> Room:
    """Change ``owner``'s room; a room's owner never changes, so the check holds for the update."""
    async with unit_of_work() as uow:
        current = await room_of(uow, name, owner)
        wanted = changes.apply(current)
        # A platform that is not configured (a language the model cannot do) is refused only when it
        # is being chosen now: the other settings of a room stay changeable.
        wanted = check_room(
            wanted,
            platforms if changes.platform is not UNCHANGED else None,
            languages if changes.language is not UNCHANGED else None,
        )
        stored = await uow.rooms.update(wanted)
        await uow.commit()
    return stored


async def delete_room(name: str, *, owner: str, unit_of_work: Callable[[], UnitOfWork]) -> None:
    """Remove ``owner``'s room; its meetings and transcripts stay (unlinked from it)."""
    async with unit_of_work() as uow:
        await room_of(uow, name, owner)
        if not await uow.rooms.delete(name):
            raise NotFoundError("room", name)
        await uow.commit()
