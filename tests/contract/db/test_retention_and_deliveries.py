"""Repository methods for retention, consent cleanup and outbound webhook deliveries, on every backend."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest

from reflector_core.errors import NotFoundError
from reflector_core.model import (
    ConsentChoice,
    ConsentDecision,
    DeliveryAttempt,
    DeliveryState,
    TranscriptStatus,
    WebhookDelivery,
)
from reflector_core.ports import UnitOfWork
from tests.contract.db.conftest import REPOSITORY_BACKENDS
from tests.contract.db.test_repositories import T0, meeting, recording, room

pytestmark = pytest.mark.parametrize("backend", REPOSITORY_BACKENDS, indirect=True)

UoW = Callable[[], UnitOfWork]
FAR = datetime.now(UTC) + timedelta(days=1)


def delivery(event_id: str, transcript_id: str, **kw: object) -> WebhookDelivery:
    return WebhookDelivery(
        event_id=event_id,
        event="transcript.completed",
        transcript_id=transcript_id,
        room_name="standup",
        url=kw.pop("url", "https://example.org/hook"),  # type: ignore[arg-type]
        body='{"id": 1}',
        created_at=kw.pop("created_at", T0),  # type: ignore[arg-type]
        **kw,  # type: ignore[arg-type]
    )


async def test_recordings_for_meeting_and_source_retention(uow: UoW) -> None:
    async with uow() as u:
        await u.rooms.add(room())
        m = await u.meetings.add(meeting())
        assert m.id
        late, _ = await u.recordings.upsert(recording("late", meeting_id=m.id, started_at=T0 + timedelta(hours=1)))
        unknown, _ = await u.recordings.upsert(recording("unknown", meeting_id=m.id))
        early, _ = await u.recordings.upsert(recording("early", meeting_id=m.id, started_at=T0))
        await u.recordings.upsert(recording("elsewhere", started_at=T0))
        assert [r.platform_recording_id for r in await u.recordings.for_meeting(m.id)] == ["early", "late", "unknown"]
        assert early.id and late.id and unknown.id
        running, _ = await u.transcripts.ensure(late.id)
        assert running.id
        await u.transcripts.transition(running.id, TranscriptStatus.QUEUED)
        expired = await u.recordings.sources_expired(FAR)
        # "late" has a queued transcript (a job still needs its sources); unknown start counts from discovery.
        assert [r.platform_recording_id for r in expired] == ["early", "elsewhere", "unknown"]
        assert [r.platform_recording_id for r in await u.recordings.sources_expired(FAR, limit=1)] == ["early"]
        assert [r.platform_recording_id for r in await u.recordings.sources_expired(T0 + timedelta(minutes=1))] == [
            "early",
            "elsewhere",
        ]
        await u.recordings.mark_sources_deleted(early.id)
        assert "early" not in [r.platform_recording_id for r in await u.recordings.sources_expired(FAR)]
        with pytest.raises(NotFoundError):
            await u.recordings.mark_sources_deleted("missing")
        await u.commit()


async def test_transcript_retention_and_deletion(uow: UoW) -> None:
    async with uow() as u:
        ids = []
        for name, final in (("a", TranscriptStatus.DONE), ("b", TranscriptStatus.FAILED), ("c", None)):
            rec, _ = await u.recordings.upsert(recording(name))
            assert rec.id
            t, _ = await u.transcripts.ensure(rec.id)
            assert t.id
            ids.append(t.id)
            if final is TranscriptStatus.DONE:
                for step in (TranscriptStatus.QUEUED, TranscriptStatus.PROCESSING, TranscriptStatus.DONE):
                    assert await u.transcripts.transition(t.id, step)
            elif final is TranscriptStatus.FAILED:
                assert await u.transcripts.transition(t.id, TranscriptStatus.FAILED)
        a, b, _c = ids
        assert {t.id for t in await u.transcripts.expired(FAR)} == {a, b}
        assert await u.transcripts.expired(T0) == []
        assert len(await u.transcripts.expired(FAR, limit=1)) == 1
        await u.transcripts.set_audio_deleted(a, True)
        assert [t.id for t in await u.transcripts.audio_expired(FAR)] == [b]
        await u.outbound_deliveries.add(delivery("evt-a", a))
        assert await u.transcripts.delete(a) is True
        assert await u.transcripts.delete(a) is False
        assert await u.transcripts.get(a) is None
        assert await u.outbound_deliveries.get("evt-a") is None  # its history goes with it
        await u.commit()


async def test_meetings_awaiting_consent_cleanup(uow: UoW) -> None:
    async with uow() as u:
        await u.rooms.add(room())
        refused = await u.meetings.add(meeting("m-refused"))
        given = await u.meetings.add(meeting("m-given"))
        no_recording = await u.meetings.add(meeting("m-empty"))
        assert refused.id and given.id and no_recording.id
        for m in (refused, given, no_recording):
            assert m.id
            choice = ConsentChoice.GIVEN if m is given else ConsentChoice.REFUSED
            await u.consents.add(ConsentDecision(m.id, "u-a", choice, T0))
        rec, _ = await u.recordings.upsert(recording("r-refused", meeting_id=refused.id))
        await u.recordings.upsert(recording("r-given", meeting_id=given.id))
        assert rec.id
        assert await u.consents.meetings_awaiting_cleanup() == [refused.id]  # no transcript yet: still pending
        t, _ = await u.transcripts.ensure(rec.id)
        assert t.id
        assert await u.consents.meetings_awaiting_cleanup() == [refused.id]
        await u.transcripts.set_audio_deleted(t.id, True)
        assert await u.consents.meetings_awaiting_cleanup() == []
        await u.commit()


async def _transcript(uow: UoW) -> str:
    async with uow() as u:
        rec, _ = await u.recordings.upsert(recording())
        assert rec.id
        t, _ = await u.transcripts.ensure(rec.id)
        assert t.id
        await u.commit()
        return t.id


async def test_outbound_deliveries_are_added_once_and_attempts_append_in_order(uow: UoW) -> None:
    tid = await _transcript(uow)
    async with uow() as u:
        wd = u.outbound_deliveries
        first = delivery("evt-1", tid, next_attempt_at=T0)
        assert await wd.add(first) is True
        assert await wd.add(delivery("evt-1", tid, url="https://changed.example")) is False
        assert await wd.get("evt-1") == first
        assert await wd.get("missing") is None
        with pytest.raises(NotFoundError, match="transcript"):
            await wd.add(delivery("evt-x", "no-such-transcript"))
        one = DeliveryAttempt(1, T0, status_code=503)
        retry_at = T0 + timedelta(minutes=1)
        assert await wd.record_attempt("evt-1", one, state=DeliveryState.PENDING, next_attempt_at=retry_at)
        assert not await wd.record_attempt("evt-1", one, state=DeliveryState.FAILED, next_attempt_at=None)  # again
        three = DeliveryAttempt(3, retry_at, status_code=200)
        assert not await wd.record_attempt("evt-1", three, state=DeliveryState.DELIVERED, next_attempt_at=None)
        two = DeliveryAttempt(2, retry_at, error="timeout")
        assert await wd.record_attempt("evt-1", two, state=DeliveryState.DELIVERED, next_attempt_at=None)
        assert not await wd.record_attempt("missing", one, state=DeliveryState.PENDING, next_attempt_at=None)
        got = await wd.get("evt-1")
        assert got is not None and got.attempts == (one, two)
        assert got.state is DeliveryState.DELIVERED and got.next_attempt_at is None
        with_history = delivery("evt-2", tid, created_at=T0 + timedelta(seconds=1), attempts=(one,))
        assert await wd.add(with_history)
        assert [d.event_id for d in await wd.for_transcript(tid)] == ["evt-1", "evt-2"]
        assert await wd.for_transcript("other") == []
        await u.commit()


async def test_due_deliveries_are_claimed_once(uow: UoW) -> None:
    tid = await _transcript(uow)
    async with uow() as u:
        for n, due in enumerate((T0 - timedelta(minutes=2), T0 - timedelta(minutes=1), T0 + timedelta(hours=1))):
            await u.outbound_deliveries.add(delivery(f"evt-{n}", tid, next_attempt_at=due))
        await u.outbound_deliveries.add(delivery("evt-done", tid, next_attempt_at=T0, state=DeliveryState.DELIVERED))
        await u.commit()

    async def sweep() -> list[str]:
        async with uow() as u:
            claimed = await u.outbound_deliveries.claim_due(T0, T0 + timedelta(minutes=10))
            await u.commit()
            return claimed

    results = await asyncio.gather(*(sweep() for _ in range(5)))
    claimed = [event for result in results for event in result]
    assert sorted(claimed) == ["evt-0", "evt-1"]
    assert ["evt-0", "evt-1"] in results  # oldest first
    async with uow() as u:
        got = await u.outbound_deliveries.get("evt-0")
        assert got is not None and got.next_attempt_at == T0 + timedelta(minutes=10)
        assert await u.outbound_deliveries.claim_due(T0 + timedelta(minutes=10), FAR) == ["evt-0", "evt-1"]
