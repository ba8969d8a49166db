"""Ownership: a room's meetings and transcripts are its owner's; anything else is "not found"."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from reflector_core.errors import NotFoundError
from reflector_core.model import Meeting, Platform, Recording, RecordingKind, Room, Transcript, WebhookDelivery
from reflector_core.usecases.access import owned_meeting, owned_room, owned_transcript, webhook_history
from tests.fakes.memory import MemoryRooms, MemoryStore, MemoryUnitOfWork

T0 = datetime(2026, 3, 12, 14, 0, tzinfo=UTC)


def _world() -> MemoryStore:
    s = MemoryStore()
    s.rooms["ana-room"] = Room("ana-room", Platform.DAILY, owner="ana", id="room-a")
    s.rooms["orphan-room"] = Room("orphan-room", Platform.DAILY, owner=None, id="room-o")
    for mid, room in [("m-ana", "ana-room"), ("m-orphan", "orphan-room"), ("m-none", None)]:
        s.meetings[mid] = Meeting(
            Platform.DAILY, f"p-{mid}", f"{mid}-x", "https://r", "https://h", T0, T0 + timedelta(hours=1), room, id=mid
        )
    for rid, meeting in [("r-ana", "m-ana"), ("r-unlinked", None), ("r-none", "m-none")]:
        s.recordings[rid] = Recording(Platform.DAILY, rid, "b", RecordingKind.RAW_TRACKS, meeting_id=meeting, id=rid)
        s.transcripts[f"t-{rid}"] = Transcript(recording_id=rid, id=f"t-{rid}")
    return s


def _uow(s: MemoryStore) -> MemoryUnitOfWork:
    return MemoryUnitOfWork(s)


async def test_the_owner_sees_their_room_meeting_and_transcript() -> None:
    s = _world()
    assert (await owned_room("ana-room", "ana", unit_of_work=lambda: _uow(s))).id == "room-a"
    assert (await owned_meeting("m-ana", "ana", unit_of_work=lambda: _uow(s))).id == "m-ana"
    assert (await owned_transcript("t-r-ana", "ana", unit_of_work=lambda: _uow(s))).id == "t-r-ana"


@pytest.mark.parametrize("caller", ["bob", "Ana", "ana "])
async def test_others_get_not_found_exactly_as_for_a_missing_thing(caller: str) -> None:
    s = _world()
    for check, ident, kind in [
        (owned_room, "ana-room", "room"),
        (owned_meeting, "m-ana", "meeting"),
        (owned_transcript, "t-r-ana", "transcript"),
    ]:
        with pytest.raises(NotFoundError) as theirs:
            await check(ident, caller, unit_of_work=lambda: _uow(s))
        with pytest.raises(NotFoundError) as missing:
            await check("nope", caller, unit_of_work=lambda: _uow(s))
        assert (theirs.value.kind, missing.value.kind) == (kind, kind)


async def test_things_without_an_owner_belong_to_nobody() -> None:
    s = _world()
    for check, ident in [
        (owned_room, "orphan-room"),
        (owned_meeting, "m-orphan"),
        (owned_meeting, "m-none"),
        (owned_transcript, "t-r-unlinked"),
        (owned_transcript, "t-r-none"),
    ]:
        with pytest.raises(NotFoundError):
            await check(ident, "ana", unit_of_work=lambda: _uow(s))


async def test_a_new_room_with_a_deleted_rooms_name_does_not_inherit_its_meetings() -> None:
    s = _world()
    assert await MemoryRooms(s).delete("ana-room")
    s.rooms["ana-room"] = Room("ana-room", Platform.DAILY, owner="bob", id="room-b")
    with pytest.raises(NotFoundError):
        await owned_meeting("m-ana", "bob", unit_of_work=lambda: _uow(s))
    with pytest.raises(NotFoundError):
        await owned_transcript("t-r-ana", "bob", unit_of_work=lambda: _uow(s))


async def test_webhook_history_is_scoped_to_the_owner() -> None:
    s = _world()
    delivery = WebhookDelivery("evt-1", "transcript.completed", "t-r-ana", "ana-room", "https://x", "{}", T0)
    s.outbound_deliveries["evt-1"] = delivery
    assert await webhook_history("t-r-ana", "ana", unit_of_work=lambda: _uow(s)) == [delivery]
    with pytest.raises(NotFoundError):
        await webhook_history("t-r-ana", "bob", unit_of_work=lambda: _uow(s))
