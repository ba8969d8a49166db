from __future__ import annotations

import pytest

from reflector_core.errors import ConflictError, InvalidInputError, NotFoundError, RoomNameError
from reflector_core.languages import LanguageError, Languages
from reflector_core.model import ConsentPolicy, Platform, Room
from reflector_core.usecases.rooms import RoomChanges, create_room, delete_room, get_room, update_room
from tests.fakes.memory import MemoryStore, MemoryUnitOfWork


def _uow(store: MemoryStore):  # type: ignore[no-untyped-def]
    return lambda: MemoryUnitOfWork(store)


async def test_create_get_delete() -> None:
    store = MemoryStore()
    room = await create_room(Room("standup", Platform.DAILY, owner="ana"), unit_of_work=_uow(store))
    assert room.id is not None
    assert await get_room("standup", unit_of_work=_uow(store)) == room
    with pytest.raises(ConflictError):
        await create_room(Room("standup", Platform.WHEREBY), unit_of_work=_uow(store))
    await delete_room("standup", owner="ana", unit_of_work=_uow(store))
    with pytest.raises(NotFoundError):
        await delete_room("standup", owner="ana", unit_of_work=_uow(store))
    with pytest.raises(NotFoundError):
        await get_room("standup", unit_of_work=_uow(store))


@pytest.mark.parametrize(
    "room",
    [
        Room("bad name", Platform.DAILY),
        Room("x" * 200, Platform.DAILY),
        Room("ok", Platform.DAILY, webhook_url="javascript:alert(1)"),
        Room("ok", Platform.DAILY, webhook_url="https://"),
        Room("ok", Platform.DAILY, webhook_secret=""),
        Room("ok", Platform.WHEREBY),
    ],
)
async def test_invalid_rooms(room: Room) -> None:
    store = MemoryStore()
    with pytest.raises(InvalidInputError):
        await create_room(room, unit_of_work=_uow(store), platforms=[Platform.DAILY])
    assert store.rooms == {}


async def test_room_name_error_is_specific() -> None:
    with pytest.raises(RoomNameError):
        await create_room(Room("a/b", Platform.DAILY), unit_of_work=_uow(MemoryStore()))


async def test_update_applies_only_the_changes() -> None:
    store = MemoryStore()
    await create_room(
        Room("r", Platform.DAILY, webhook_url="https://h.example/x", owner="ana"), unit_of_work=_uow(store)
    )
    room = await update_room(
        "r", RoomChanges(consent_policy=ConsentPolicy.REQUIRED), owner="ana", unit_of_work=_uow(store)
    )
    assert room.consent_policy is ConsentPolicy.REQUIRED
    assert room.webhook_url == "https://h.example/x"
    assert room.owner == "ana"
    room = await update_room("r", RoomChanges(webhook_url=None), owner="ana", unit_of_work=_uow(store))
    assert room.webhook_url is None
    with pytest.raises(NotFoundError):
        await update_room("nope", RoomChanges(locked=True), owner="ana", unit_of_work=_uow(store))


async def test_update_checks_a_newly_chosen_platform_only() -> None:
    store = MemoryStore()
    store.rooms["w"] = Room("w", Platform.WHEREBY, owner="ana", id="room-w")
    # An existing room on a platform that is no longer configured can still be edited...
    room = await update_room(
        "w", RoomChanges(locked=True), owner="ana", unit_of_work=_uow(store), platforms=[Platform.DAILY]
    )
    assert room.locked
    # ...but nobody may choose that platform now.
    store.rooms["d"] = Room("d", Platform.DAILY, owner="ana", id="room-d")
    with pytest.raises(InvalidInputError):
        await update_room(
            "d",
            RoomChanges(platform=Platform.WHEREBY),
            owner="ana",
            unit_of_work=_uow(store),
            platforms=[Platform.DAILY],
        )


async def test_only_the_owner_may_change_or_delete_a_room() -> None:
    # The check lives in the use case, so no entrypoint (API, pages, CLI) can skip it.
    store = MemoryStore()
    await create_room(Room("r", Platform.DAILY, owner="ana"), unit_of_work=_uow(store))
    with pytest.raises(NotFoundError):
        await update_room("r", RoomChanges(locked=True), owner="bob", unit_of_work=_uow(store))
    with pytest.raises(NotFoundError):
        await delete_room("r", owner="bob", unit_of_work=_uow(store))
    assert not store.rooms["r"].locked


async def test_a_rooms_language_is_checked_against_the_model_when_it_is_chosen() -> None:
    store = MemoryStore()
    multilingual, english_only = Languages.for_model("base"), Languages.for_model("tiny.en")
    room = await create_room(
        Room("standup", Platform.DAILY, owner="ana", language="DE"), unit_of_work=_uow(store), languages=multilingual
    )
    assert room.language == "de"
    with pytest.raises(LanguageError, match="English-only"):
        await create_room(
            Room("other", Platform.DAILY, language="auto"), unit_of_work=_uow(store), languages=english_only
        )
    with pytest.raises(LanguageError, match="unknown language"):
        await update_room(
            "standup", RoomChanges(language="xx"), owner="ana", unit_of_work=_uow(store), languages=multilingual
        )
    # The model changed to an English-only one: the room's other settings stay changeable.
    room = await update_room(
        "standup", RoomChanges(locked=True), owner="ana", unit_of_work=_uow(store), languages=english_only
    )
    assert room.locked and room.language == "de"
    room = await update_room(
        "standup", RoomChanges(language="en"), owner="ana", unit_of_work=_uow(store), languages=english_only
    )
    assert room.language == "en"
