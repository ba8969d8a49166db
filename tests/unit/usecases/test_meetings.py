from __future__ import annotations

from datetime import timedelta

import pytest

from reflector_core.errors import ConfigurationError, NotFoundError
from reflector_core.model import Platform, Room
from reflector_core.usecases.meetings import MEETING_DURATION, active_meeting, join_info
from tests.fakes.memory import FixedClock, MemoryStore, MemoryUnitOfWork, MemoryVideoPlatform


def _kw(store: MemoryStore, *platforms: MemoryVideoPlatform, clock: FixedClock | None = None) -> dict:  # type: ignore[type-arg]
    return {
        "unit_of_work": lambda: MemoryUnitOfWork(store),
        "platforms": {p.platform: p for p in platforms},
        "clock": clock or FixedClock(),
    }


async def test_creates_then_reuses() -> None:
    store, daily, clock = MemoryStore(), MemoryVideoPlatform(Platform.DAILY), FixedClock()
    store.rooms["r"] = Room("r", Platform.DAILY, id="room-1")
    first = await active_meeting("r", **_kw(store, daily, clock=clock))
    assert first.created
    assert first.meeting.room_name == "r"
    assert first.meeting.start == clock.now()
    assert first.meeting.end == clock.now() + MEETING_DURATION
    second = await active_meeting("r", **_kw(store, daily, clock=clock))
    assert not second.created
    assert second.meeting == first.meeting
    assert len(daily.created) == 1


async def test_an_ended_meeting_is_closed_and_replaced() -> None:
    store, daily, clock = MemoryStore(), MemoryVideoPlatform(Platform.DAILY), FixedClock()
    store.rooms["r"] = Room("r", Platform.DAILY, id="room-1")
    first = await active_meeting("r", **_kw(store, daily, clock=clock))
    clock.current += MEETING_DURATION + timedelta(seconds=1)
    second = await active_meeting("r", **_kw(store, daily, clock=clock))
    assert second.created
    assert store.meetings[first.meeting.id or ""].active is False


async def test_missing_room_and_unconfigured_platform() -> None:
    store = MemoryStore()
    with pytest.raises(NotFoundError):
        await active_meeting("r", **_kw(store))
    store.rooms["r"] = Room("r", Platform.WHEREBY, id="room-1")
    with pytest.raises(ConfigurationError):
        await active_meeting("r", **_kw(store, MemoryVideoPlatform(Platform.DAILY)))


async def test_room_deleted_during_creation_deletes_the_platform_meeting() -> None:
    store = MemoryStore()
    store.rooms["r"] = Room("r", Platform.DAILY, id="room-1")

    class Deleting(MemoryVideoPlatform):
        async def create_meeting(self, room, *, start, end):  # type: ignore[no-untyped-def]
            del store.rooms["r"]
            return await super().create_meeting(room, start=start, end=end)

    class StrictUnitOfWork(MemoryUnitOfWork):
        def __init__(self, s: MemoryStore) -> None:
            super().__init__(s)
            add = self.meetings.add

            async def checked_add(meeting):  # type: ignore[no-untyped-def]
                if meeting.room_name not in s.rooms:
                    raise NotFoundError("room", meeting.room_name)
                return await add(meeting)

            self.meetings.add = checked_add  # type: ignore[method-assign]

    platform = Deleting(Platform.DAILY)
    with pytest.raises(NotFoundError):
        await active_meeting(
            "r", unit_of_work=lambda: StrictUnitOfWork(store), platforms={Platform.DAILY: platform}, clock=FixedClock()
        )
    assert platform.deleted == platform.created


async def test_join_info_owner_and_guest() -> None:
    store, daily = MemoryStore(), MemoryVideoPlatform(Platform.DAILY)
    store.rooms["r"] = Room("r", Platform.DAILY, owner="ana", id="room-1")
    outcome = await active_meeting("r", **_kw(store, daily))
    owner = await join_info(outcome, user="ana", platforms={Platform.DAILY: daily})
    assert (owner.owner, owner.url, owner.token) == (True, outcome.meeting.host_room_url, "token-1")
    assert owner.expires_at == outcome.meeting.end
    assert daily.tokens[0]["expires_at"] == outcome.meeting.end
    for user in (None, "bob"):
        guest = await join_info(outcome, user=user, platforms={Platform.DAILY: daily})
        assert (guest.owner, guest.url, guest.token) == (False, outcome.meeting.room_url, None)


async def test_nobody_owns_an_ownerless_room() -> None:
    store, daily = MemoryStore(), MemoryVideoPlatform(Platform.DAILY)
    store.rooms["r"] = Room("r", Platform.DAILY, id="room-1")
    outcome = await active_meeting("r", **_kw(store, daily))
    assert not (await join_info(outcome, user=None, platforms={Platform.DAILY: daily})).owner
