"""The meeting recording-start record on SQLite and PostgreSQL: one claim per meeting, conditional moves."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest

from reflector_core.errors import NotFoundError
from reflector_core.model import MeetingRecording, RecordingState

from .test_repositories import T0, UoW, meeting, room, seeded

S = RecordingState


async def test_the_first_request_claims_and_later_ones_do_not(uow: UoW) -> None:
    meeting_id, _, _ = await seeded(uow)
    async with uow() as u:
        r = u.meeting_recordings
        assert await r.get(meeting_id) is None
        assert await r.request(meeting_id, T0, by="participant.joined") is True
        assert await r.request(meeting_id, T0 + timedelta(seconds=1), by="presence") is False
        assert await r.get(meeting_id) == MeetingRecording(
            meeting_id=meeting_id, state=S.REQUESTED, requested_at=T0, updated_at=T0, requested_by="participant.joined"
        )
        with pytest.raises(NotFoundError, match="meeting"):
            await r.request("no-such-meeting", T0, by="x")
        await u.commit()


async def test_transitions_are_conditional_and_count_failed_attempts(uow: UoW) -> None:
    meeting_id, _, _ = await seeded(uow)
    t1, t2, t3 = (T0 + timedelta(minutes=n) for n in (1, 2, 3))
    async with uow() as u:
        r = u.meeting_recordings
        assert not await r.transition(meeting_id, S.STARTED, sources=frozenset({S.REQUESTED}), at=t1)  # no row
        await r.request(meeting_id, T0, by="participant.joined")
        req = frozenset({S.REQUESTED})
        assert await r.transition(meeting_id, S.REQUESTED, sources=req, at=t1, error="not hosted", failed_attempt=True)
        assert await r.transition(meeting_id, S.FAILED, sources=req, at=t2, error="refused", failed_attempt=True)
        assert not await r.transition(meeting_id, S.STARTED, sources=req, at=t3)  # failed is not requested
        failed = await r.get(meeting_id)
        assert failed is not None
        assert (failed.state, failed.attempts, failed.error, failed.updated_at) == (S.FAILED, 2, "refused", t2)
        # Only an explicit restart leaves "failed"; it resets the attempts and the error.
        assert not await r.request(meeting_id, t3, by="presence")
        assert await r.request(meeting_id, t3, by="ann", again_from=frozenset({S.FAILED, S.STOPPED}))
        assert await r.transition(meeting_id, S.STARTED, sources=req, at=t3)
        started = await r.get(meeting_id)
        assert started is not None
        assert (started.state, started.attempts, started.error, started.started_at, started.requested_by) == (
            S.STARTED,
            0,
            None,
            t3,
            "ann",
        )
        assert await r.for_meetings([meeting_id, "other"]) == {meeting_id: started}
        assert await r.for_meetings([]) == {}
        await u.commit()


async def test_concurrent_claims_have_one_winner(uow: UoW) -> None:
    meeting_id, _, _ = await seeded(uow)

    async def claim(n: int) -> bool:
        async with uow() as u:
            won = await u.meeting_recordings.request(meeting_id, T0 + timedelta(seconds=n), by=f"caller-{n}")
            await u.commit()
            return won

    results = await asyncio.gather(*(claim(n) for n in range(8)), return_exceptions=True)
    # SQLite may report "database is locked" to a loser instead of waiting: that is a lost claim too.
    assert sum(1 for r in results if r is True) == 1


async def test_a_deleted_meeting_takes_its_record_with_it_and_rooms_list_their_meetings(uow: UoW) -> None:
    async with uow() as u:
        await u.rooms.add(room(owner="ann"))
        first = await u.meetings.add(meeting("m-1", start=T0))
        second = await u.meetings.add(meeting("m-2", start=T0 + timedelta(hours=2)))
        await u.rooms.add(room("other"))
        await u.meetings.add(meeting("m-3", room_name="other"))
        assert [m.id for m in await u.meetings.for_room("standup")] == [second.id, first.id]
        assert [m.id for m in await u.meetings.for_room("standup", limit=1)] == [second.id]
        assert await u.meetings.for_room("nobody") == []
        await u.commit()
