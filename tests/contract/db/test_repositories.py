"""The repository contract, run unchanged against SQLite, PostgreSQL and the in-memory fakes."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import IntegrityError, StatementError
from sqlalchemy.ext.asyncio import AsyncEngine

from reflector_adapters.db.tables import deleted_object
from reflector_adapters.db.unit_of_work import SqlUnitOfWork
from reflector_core.errors import ConflictError, MeetingRoomConflictError, NotFoundError
from reflector_core.model import (
    ConsentChoice,
    ConsentDecision,
    ConsentPolicy,
    Meeting,
    Participant,
    ParticipantSession,
    Platform,
    Recording,
    RecordingKind,
    Room,
    Track,
    TrackFailure,
    TrackKind,
    Transcript,
    TranscriptStatus,
    Word,
)
from reflector_core.ports import TranscriptFilter, UnitOfWork
from tests.contract.db.conftest import REPOSITORY_BACKENDS

pytestmark = pytest.mark.parametrize("backend", REPOSITORY_BACKENDS, indirect=True)

UoW = Callable[[], UnitOfWork]
T0 = datetime(2026, 3, 12, 14, 0, tzinfo=UTC)


def room(name: str = "standup", **kw: object) -> Room:
    return Room(name=name, platform=Platform.DAILY, **kw)  # type: ignore[arg-type]


def meeting(pmid: str = "m-1", room_name: str | None = "standup", start: datetime = T0, **kw: object) -> Meeting:
    return Meeting(
        platform=kw.pop("platform", Platform.DAILY),  # type: ignore[arg-type]
        platform_meeting_id=pmid,
        platform_room_name=kw.pop("platform_room_name", f"standup-{pmid}"),  # type: ignore[arg-type]
        room_url=kw.pop("room_url", f"https://x.daily.co/{pmid}"),  # type: ignore[arg-type]
        host_room_url=f"https://x.daily.co/{pmid}?host",
        start=start,
        end=start + timedelta(hours=1),
        room_name=room_name,
        **kw,  # type: ignore[arg-type]
    )


def recording(prid: str = "rec-1", **kw: object) -> Recording:
    return Recording(
        platform=Platform.DAILY,
        platform_recording_id=prid,
        bucket="raw",
        kind=RecordingKind.RAW_TRACKS,
        **kw,  # type: ignore[arg-type]
    )


async def seeded(uow: UoW) -> tuple[str, str, str]:
    """A room, a meeting, a recording linked to it and its transcript: (meeting id, recording id, transcript id)."""
    async with uow() as u:
        await u.rooms.add(room(owner="ann"))
        m = await u.meetings.add(meeting())
        rec, _ = await u.recordings.upsert(recording(meeting_id=m.id, started_at=T0))
        assert m.id and rec.id
        t, _ = await u.transcripts.ensure(rec.id)
        assert t.id
        await u.commit()
    return m.id, rec.id, t.id


# --- unit of work ------------------------------------------------------------------------------


async def _add_then_fail(uow: UoW, name: str) -> None:
    async with uow() as u:
        await u.rooms.add(room(name))
        raise RuntimeError("boom")


async def test_commit_persists_and_leaving_without_commit_rolls_back(uow: UoW, backend: str) -> None:
    if backend == "memory":
        pytest.skip("the in-memory fakes deliberately have no transactions (see tests/fakes/memory.py)")
    async with uow() as u:
        await u.rooms.add(room("kept"))
        await u.commit()
        await u.rooms.add(room("after-commit-not-committed"))
    async with uow() as u:
        await u.rooms.add(room("dropped"))
    with pytest.raises(RuntimeError, match="boom"):
        await _add_then_fail(uow, "failed")
    async with uow() as u:
        await u.rooms.add(room("explicit-rollback"))
        await u.rollback()
        assert [r.name for r in await u.rooms.list()] == ["kept"]


async def test_unit_of_work_cannot_be_reused_or_used_outside_its_block(engine: AsyncEngine) -> None:
    u = SqlUnitOfWork(engine)
    with pytest.raises(RuntimeError):
        await u.commit()
    async with u:
        pass
    with pytest.raises(RuntimeError):
        async with u:
            pass


async def test_foreign_keys_are_enforced_by_the_database(engine: AsyncEngine) -> None:
    async with engine.connect() as conn:
        with pytest.raises(IntegrityError):
            await conn.execute(
                text("INSERT INTO track (recording_id, key, kind, position) VALUES ('nope', 'k', 'audio', 0)")
            )


# --- rooms -------------------------------------------------------------------------------------


async def test_rooms_add_get_list_update_delete(uow: UoW) -> None:
    async with uow() as u:
        added = await u.rooms.add(room("b", owner="ann", webhook_secret="s3cret"))
        await u.rooms.add(room("a", owner="bob", consent_policy=ConsentPolicy.REQUIRED))
        assert added.id
        assert await u.rooms.get("b") == added
        assert added.webhook_secret == "s3cret"
        assert [r.name for r in await u.rooms.list()] == ["a", "b"]
        assert [r.name for r in await u.rooms.list(owner="bob")] == ["a"]
        assert added.language == "en"
        changed = await u.rooms.update(
            room("b", owner="ann", locked=True, recording_kind=RecordingKind.CLOUD, language="auto")
        )
        assert changed.locked and changed.recording_kind is RecordingKind.CLOUD and changed.id == added.id
        assert (await u.rooms.get("b")) == changed and changed.language == "auto"
        assert await u.rooms.delete("b") is True
        assert await u.rooms.delete("b") is False
        assert await u.rooms.get("b") is None
        await u.commit()


async def test_duplicate_room_name_is_a_conflict_and_the_transaction_survives(uow: UoW) -> None:
    async with uow() as u:
        await u.rooms.add(room("dup"))
        with pytest.raises(ConflictError, match="dup"):
            await u.rooms.add(room("dup", owner="someone-else"))
        await u.rooms.add(room("other"))
        await u.commit()
    async with uow() as u:
        assert [r.name for r in await u.rooms.list()] == ["dup", "other"]


async def test_updating_a_missing_room_is_not_found(uow: UoW) -> None:
    async with uow() as u:
        with pytest.raises(NotFoundError):
            await u.rooms.update(room("ghost"))


# --- meetings ----------------------------------------------------------------------------------


async def test_meeting_add_is_idempotent_per_platform_meeting_id(uow: UoW) -> None:
    async with uow() as u:
        await u.rooms.add(room())
        first = await u.meetings.add(meeting("m-1"))
        again = await u.meetings.add(meeting("m-1", room_url="ignored"))
        other_platform = await u.meetings.add(meeting("m-1", platform=Platform.WHEREBY))
        assert first.id and again.id == first.id and other_platform.id != first.id
        assert first.room_name == "standup" and first.start == T0
        assert await u.meetings.get(first.id) == first
        assert await u.meetings.get("missing") is None
        await u.commit()


async def test_a_platform_meeting_id_of_another_room_is_refused(uow: UoW) -> None:
    async with uow() as u:
        await u.rooms.add(room("standup", owner="ann"))
        await u.rooms.add(room("intake", owner="bob"))
        ann = await u.meetings.add(meeting("m-1", room_name="standup"))
        with pytest.raises(MeetingRoomConflictError, match="m-1") as caught:
            await u.meetings.add(meeting("m-1", room_name="intake"))
        assert (caught.value.stored_room, caught.value.wanted_room) == ("standup", "intake")
        with pytest.raises(MeetingRoomConflictError):
            await u.meetings.add(meeting("m-1", room_name=None))
        assert (await u.meetings.get(ann.id or "")) == ann
        assert [m.id for m in await u.meetings.by_platform_room_name(Platform.DAILY, "standup-m-1")] == [ann.id]


async def test_meeting_in_an_unknown_room_is_not_found(uow: UoW) -> None:
    async with uow() as u:
        with pytest.raises(NotFoundError, match="ghost"):
            await u.meetings.add(meeting(room_name="ghost"))
        assert (await u.meetings.add(meeting(room_name=None))).room_name is None


async def test_meeting_lookups(uow: UoW) -> None:
    async with uow() as u:
        await u.rooms.add(room())
        early = await u.meetings.add(meeting("m-early", start=T0 - timedelta(hours=5)))
        late = await u.meetings.add(meeting("m-late", start=T0))
        whereby = await u.meetings.add(
            meeting("w-1", room_name=None, platform=Platform.WHEREBY, platform_room_name="/standup-abc", start=T0)
        )
        assert (await u.meetings.active_for_room("standup")) == late
        assert await u.meetings.active_for_room("nobody") is None
        assert await u.meetings.by_platform_room_name(Platform.WHEREBY, "standup-abc") == [whereby]
        assert await u.meetings.by_platform_room_name(Platform.WHEREBY, "/standup-abc") == [whereby]
        assert await u.meetings.by_platform_room_name(Platform.DAILY, "standup-abc") == []
        near = await u.meetings.near("standup", T0 - timedelta(hours=1), window_seconds=6 * 3600)
        assert [m.id for m in near] == [late.id, early.id]
        assert await u.meetings.near("standup", T0 + timedelta(days=3), window_seconds=60) == []
        assert early.id and late.id
        assert [m.id for m in await u.meetings.ended_but_active(T0 + timedelta(minutes=30))] == [early.id]
        assert [m.id for m in await u.meetings.active(Platform.DAILY)] == [early.id, late.id]
        assert [m.id for m in await u.meetings.active(Platform.WHEREBY)] == [whereby.id]
        await u.meetings.deactivate(early.id)
        await u.meetings.deactivate(early.id)
        assert await u.meetings.ended_but_active(T0 + timedelta(minutes=30)) == []
        assert [m.id for m in await u.meetings.active(Platform.DAILY)] == [late.id]
        with pytest.raises(NotFoundError):
            await u.meetings.deactivate("missing")
        await u.commit()


async def test_deleting_a_room_keeps_its_meetings_unlinked(uow: UoW) -> None:
    async with uow() as u:
        await u.rooms.add(room())
        m = await u.meetings.add(meeting())
        assert m.id
        await u.rooms.delete("standup")
        kept = await u.meetings.get(m.id)
        assert kept is not None and kept.room_name is None
        await u.commit()


# --- recordings --------------------------------------------------------------------------------


async def test_recording_upsert_is_idempotent_and_only_fills_gaps(uow: UoW) -> None:
    tracks = (
        Track(key="p/1-a-cam-audio-1.webm", participant_id="a", offset=0.5, size=10),
        Track(key="p/1-a-cam-video-1.webm", kind=TrackKind.VIDEO, participant_id="a"),
    )
    async with uow() as u:
        first, created = await u.recordings.upsert(recording(tracks=tracks, platform_room_name="standup-x"))
        assert created and first.id and first.tracks == tracks and first.linked_by_time is False
        again, created_again = await u.recordings.upsert(
            recording(
                platform_room_name="overwritten?",
                started_at=T0,
                duration=61.5,
                platform_session_id="sess",
                object_key="p/",
                status="finished",
                tracks=(*tracks, Track(key="p/1-b-cam-audio-2.webm", participant_id="b")),
            )
        )
        assert not created_again and again.id == first.id
        assert again.platform_room_name == "standup-x"
        assert (again.started_at, again.duration, again.platform_session_id, again.object_key, again.status) == (
            T0,
            61.5,
            "sess",
            "p/",
            "finished",
        )
        assert [t.key for t in again.tracks] == [tracks[0].key, tracks[1].key, "p/1-b-cam-audio-2.webm"]
        assert await u.recordings.get(first.id) == again
        assert await u.recordings.by_platform_id(Platform.DAILY, "rec-1") == again
        assert await u.recordings.by_platform_id(Platform.WHEREBY, "rec-1") is None
        assert await u.recordings.get("missing") is None
        await u.commit()


async def test_recording_meeting_links(uow: UoW) -> None:
    async with uow() as u:
        await u.rooms.add(room())
        m = await u.meetings.add(meeting())
        assert m.id
        rec, _ = await u.recordings.upsert(recording("r-1"))
        linked, _ = await u.recordings.upsert(recording("r-2", meeting_id=m.id, linked_by_time=True))
        assert rec.id and linked.meeting_id == m.id and linked.linked_by_time
        assert [r.id for r in await u.recordings.unlinked()] == [rec.id]
        await u.recordings.link_meeting(rec.id, m.id, by_time=True)
        got = await u.recordings.get(rec.id)
        assert got is not None and got.meeting_id == m.id and got.linked_by_time
        await u.recordings.link_meeting(rec.id, m.id, by_time=False)
        got = await u.recordings.get(rec.id)
        assert got is not None and not got.linked_by_time
        assert await u.recordings.unlinked() == []
        # A rediscovery naming another meeting does not move an already linked recording.
        other = await u.meetings.add(meeting("m-2"))
        moved, _ = await u.recordings.upsert(recording("r-1", meeting_id=other.id))
        assert moved.meeting_id == m.id and not moved.linked_by_time
        with pytest.raises(NotFoundError, match="meeting"):
            await u.recordings.link_meeting(rec.id, "no-such-meeting", by_time=False)
        with pytest.raises(NotFoundError, match="recording"):
            await u.recordings.link_meeting("no-such-recording", m.id, by_time=False)
        with pytest.raises(NotFoundError, match="meeting"):
            await u.recordings.upsert(recording("r-3", meeting_id="no-such-meeting"))
        await u.commit()


# --- transcripts -------------------------------------------------------------------------------


async def test_transcript_ensure_is_idempotent_and_needs_a_recording(uow: UoW) -> None:
    async with uow() as u:
        rec, _ = await u.recordings.upsert(recording())
        assert rec.id
        t, created = await u.transcripts.ensure(rec.id)
        again, created_again = await u.transcripts.ensure(rec.id)
        assert created and not created_again and t.id and again.id == t.id
        assert t.status is TranscriptStatus.DISCOVERED and t.words == () and t.created_at and t.updated_at
        assert await u.transcripts.get(t.id) == t
        assert await u.transcripts.by_recording(rec.id) == t
        assert await u.transcripts.get("missing") is None
        with pytest.raises(NotFoundError, match="recording"):
            await u.transcripts.ensure("no-such-recording")
        await u.commit()


async def test_transcript_status_moves_forward_only(uow: UoW) -> None:
    _, _, tid = await seeded(uow)
    s = TranscriptStatus
    async with uow() as u:
        tr = u.transcripts
        assert await tr.transition(tid, s.PROCESSING) is False  # discovered → processing skips queued
        assert await tr.transition(tid, s.QUEUED) is True
        assert await tr.transition(tid, s.QUEUED) is False  # the second caller loses
        assert await tr.transition(tid, s.PROCESSING) is True
        assert await tr.transition(tid, s.PROCESSING) is True  # a retry of the same job re-enters
        assert await tr.transition(tid, s.FAILED, error="track 2: unreadable") is True
        got = await tr.get(tid)
        assert got is not None and got.status is s.FAILED and got.error == "track 2: unreadable"
        assert await tr.transition(tid, s.QUEUED) is True  # a failed one may be requeued
        got = await tr.get(tid)
        assert got is not None and got.error is None
        assert await tr.transition(tid, s.PROCESSING) is True
        assert await tr.transition(tid, s.DONE) is True
        for wanted in s:
            assert await tr.transition(tid, wanted) is False  # done is final
        got = await tr.get(tid)
        assert got is not None and got.status is s.DONE
        with pytest.raises(NotFoundError):
            await tr.transition("missing", s.QUEUED)
        await u.commit()


async def test_transcript_results_round_trip(uow: UoW) -> None:
    _, _, tid = await seeded(uow)
    async with uow() as u:
        await u.transcripts.transition(tid, TranscriptStatus.QUEUED)
        current = await u.transcripts.get(tid)
        assert current is not None
        result = Transcript(
            id=tid,
            recording_id=current.recording_id,
            status=TranscriptStatus.DONE,  # ignored: save_result never moves the status
            words=(Word("Hello", 0.5, 0.9, speaker=0, probability=0.93), Word("there", 1.0, 1.4, speaker=1)),
            participants=(Participant(0, participant_id="a", name="Ann", user_id="u-a"), Participant(1)),
            duration=12.25,
            audio_location="transcripts/t/audio.mp3",
            failed_tracks=(TrackFailure(track="p/2.webm", reason="unreadable"),),
            audio_deleted=True,  # ignored: consent cleanup owns the flag
            language="de",
        )
        assert current.language is None
        await u.transcripts.save_result(result)
        got = await u.transcripts.get(tid)
        assert got is not None
        assert got.status is TranscriptStatus.QUEUED and got.audio_deleted is False and got.language == "de"
        assert (got.words, got.participants, got.duration, got.audio_location, got.failed_tracks) == (
            result.words,
            result.participants,
            result.duration,
            result.audio_location,
            result.failed_tracks,
        )
        assert got.words[0].probability == pytest.approx(0.93)
        await u.transcripts.set_audio_deleted(tid, True)
        got = await u.transcripts.get(tid)
        assert got is not None and got.audio_deleted
        with pytest.raises(NotFoundError):
            await u.transcripts.save_result(Transcript(recording_id="x", id="missing"))
        with pytest.raises(NotFoundError):
            await u.transcripts.set_audio_deleted("missing", True)
        await u.commit()


async def test_transcript_list_filters_and_pages(uow: UoW) -> None:
    meeting_id, _, tid = await seeded(uow)
    async with uow() as u:
        await u.rooms.add(room("other-room", owner="bob"))
        m2 = await u.meetings.add(meeting("m-2", room_name="other-room"))
        ids = []
        for n in range(3):
            rec, _ = await u.recordings.upsert(recording(f"r-other-{n}", meeting_id=m2.id))
            assert rec.id
            t, _ = await u.transcripts.ensure(rec.id)
            ids.append(t.id)
        await u.transcripts.transition(tid, TranscriptStatus.QUEUED)
        await u.commit()
    async with uow() as u:
        everything = await u.transcripts.list(TranscriptFilter())
        assert everything.total == 4 and len(everything.items) == 4
        page = await u.transcripts.list(TranscriptFilter(), offset=1, limit=2)
        assert (page.total, page.offset, page.limit, len(page.items)) == (4, 1, 2, 2)
        assert [t.id for t in page.items] == [t.id for t in everything.items[1:3]]
        only = await u.transcripts.list(TranscriptFilter(room="standup"))
        assert [t.id for t in only.items] == [tid]
        assert (await u.transcripts.list(TranscriptFilter(owner="bob"))).total == 3
        assert (await u.transcripts.list(TranscriptFilter(meeting_id=meeting_id))).total == 1
        assert (await u.transcripts.list(TranscriptFilter(platform_recording_id="rec-1"))).items[0].id == tid
        assert (await u.transcripts.list(TranscriptFilter(status=TranscriptStatus.QUEUED))).total == 1
        assert (await u.transcripts.list(TranscriptFilter(status=TranscriptStatus.DISCOVERED, owner="ann"))).total == 0


async def test_stuck_transcripts_are_queued_or_processing_and_untouched(uow: UoW) -> None:
    _, _, tid = await seeded(uow)
    async with uow() as u:
        assert await u.transcripts.stuck(datetime.now(UTC) + timedelta(minutes=1)) == []  # discovered is not stuck
        await u.transcripts.transition(tid, TranscriptStatus.QUEUED)
        assert [t.id for t in await u.transcripts.stuck(datetime.now(UTC) + timedelta(minutes=1))] == [tid]
        assert await u.transcripts.stuck(datetime.now(UTC) - timedelta(minutes=1)) == []
        await u.transcripts.transition(tid, TranscriptStatus.PROCESSING)
        assert [t.id for t in await u.transcripts.stuck(datetime.now(UTC) + timedelta(minutes=1))] == [tid]
        await u.transcripts.transition(tid, TranscriptStatus.DONE)
        assert await u.transcripts.stuck(datetime.now(UTC) + timedelta(minutes=1)) == []


# --- UTC ---------------------------------------------------------------------------------------


async def test_times_come_back_as_the_same_instant_in_utc(uow: UoW) -> None:
    berlin = timezone(timedelta(hours=1))
    local = datetime(2026, 3, 12, 15, 30, 0, 123456, tzinfo=berlin)
    async with uow() as u:
        await u.poll_cursors.set("daily", "rec-9", local)
        await u.commit()
    async with uow() as u:
        _, back = await u.poll_cursors.get("daily")
    assert back == local
    assert back is not None and back.tzinfo is UTC and back.hour == 14 and back.microsecond == 123456


async def test_naive_times_are_refused(uow: UoW) -> None:
    async with uow() as u:
        # SQLAlchemy wraps the column type's ValueError; the fakes raise it as is.
        with pytest.raises((StatementError, ValueError), match="naive"):
            await u.inbound_events.record(Platform.DAILY, "e", datetime(2026, 1, 1))


# --- webhook events, cursors -------------------------------------------------------------------


async def test_inbound_events_are_recorded_once(uow: UoW) -> None:
    async with uow() as u:
        assert await u.inbound_events.record(Platform.DAILY, "evt-1", T0) is True
        assert await u.inbound_events.record(Platform.DAILY, "evt-1", T0 + timedelta(seconds=5)) is False
        assert await u.inbound_events.record(Platform.WHEREBY, "evt-1", T0) is True
        await u.commit()
    async with uow() as u:
        assert await u.inbound_events.record(Platform.DAILY, "evt-1", T0) is False


async def test_an_inbound_events_body_is_pending_until_handled(uow: UoW) -> None:
    """Issue 17: an accepted event whose job died with an embedded process is handled after the restart."""
    async with uow() as u:
        assert await u.inbound_events.record(Platform.DAILY, "evt-1", T0, '{"id":"evt-1"}')
        assert await u.inbound_events.record(Platform.WHEREBY, "w-1", T0 + timedelta(seconds=1), '{"id":"w-1"}')
        assert await u.inbound_events.record(Platform.DAILY, "evt-0", T0)  # no body: nothing to re-run
        await u.commit()
    async with uow() as u:
        assert await u.inbound_events.pending() == [
            (Platform.DAILY, '{"id":"evt-1"}'),
            (Platform.WHEREBY, '{"id":"w-1"}'),
        ]
        await u.inbound_events.handled(Platform.DAILY, "evt-1")
        await u.inbound_events.handled(Platform.DAILY, "unknown")
        await u.commit()
    async with uow() as u:
        assert await u.inbound_events.pending() == [(Platform.WHEREBY, '{"id":"w-1"}')]
        assert await u.inbound_events.record(Platform.DAILY, "evt-1", T0, "again") is False  # still a redelivery
        assert await u.inbound_events.pending() == [(Platform.WHEREBY, '{"id":"w-1"}')]


async def test_poll_cursor_get_and_set(uow: UoW) -> None:
    async with uow() as u:
        assert await u.poll_cursors.get("daily") == (None, None)
        await u.poll_cursors.set("daily", "rec-1", T0)
        await u.poll_cursors.set("daily", "rec-2", T0 + timedelta(hours=1))
        await u.poll_cursors.set("other", None, None)
        assert await u.poll_cursors.get("daily") == ("rec-2", T0 + timedelta(hours=1))
        assert await u.poll_cursors.get("other") == (None, None)


# --- participant sessions, consent -------------------------------------------------------------


async def test_participant_session_snapshots_are_idempotent(uow: UoW) -> None:
    meeting_id, _, _ = await seeded(uow)
    joined = T0 + timedelta(minutes=1)
    async with uow() as u:
        ps = u.participant_sessions
        await ps.upsert(ParticipantSession(meeting_id, "s-1", joined_at=joined))
        await ps.upsert(ParticipantSession(meeting_id, "s-1", joined_at=joined, name="Ann", user_id="u-a"))
        await ps.upsert(ParticipantSession(meeting_id, "s-1", joined_at=joined, name="Renamed?"))
        await ps.upsert(ParticipantSession(meeting_id, "s-2", joined_at=joined - timedelta(minutes=2)))
        left = T0 + timedelta(minutes=20)
        await ps.upsert(ParticipantSession(meeting_id, "s-1", joined_at=joined, left_at=left))
        # Closed, then seen again by a stale presence snapshot: no failure, still closed.
        await ps.upsert(ParticipantSession(meeting_id, "s-1", joined_at=joined, name="Ann"))
        await ps.upsert(ParticipantSession(meeting_id, "s-1", joined_at=joined, left_at=left + timedelta(hours=1)))
        sessions = await ps.for_meeting(meeting_id)
        assert [s.session_id for s in sessions] == ["s-2", "s-1"]
        assert sessions[1] == ParticipantSession(
            meeting_id, "s-1", joined_at=joined, user_id="u-a", name="Ann", left_at=left
        )
        assert await ps.for_meeting("other") == []
        with pytest.raises(NotFoundError, match="meeting"):
            await ps.upsert(ParticipantSession("no-such-meeting", "s", joined_at=joined))
        await u.commit()


async def test_consent_keeps_the_latest_decision_per_participant(uow: UoW) -> None:
    meeting_id, _, _ = await seeded(uow)
    async with uow() as u:
        c = u.consents
        await c.add(ConsentDecision(meeting_id, "u-a", ConsentChoice.GIVEN, T0))
        await c.add(ConsentDecision(meeting_id, "u-b", ConsentChoice.GIVEN, T0))
        await c.add(ConsentDecision(meeting_id, "u-a", ConsentChoice.REFUSED, T0 + timedelta(minutes=5)))
        await c.add(ConsentDecision(meeting_id, "u-a", ConsentChoice.GIVEN, T0 + timedelta(minutes=1)))  # stale
        decisions = await c.for_meeting(meeting_id)
        assert decisions == [
            ConsentDecision(meeting_id, "u-b", ConsentChoice.GIVEN, T0),
            ConsentDecision(meeting_id, "u-a", ConsentChoice.REFUSED, T0 + timedelta(minutes=5)),
        ]
        with pytest.raises(NotFoundError, match="meeting"):
            await c.add(ConsentDecision("no-such-meeting", "u", ConsentChoice.GIVEN, T0))
        await u.commit()


# --- audit log, API keys -----------------------------------------------------------------------


async def test_deleted_objects_are_logged(uow: UoW, engine: AsyncEngine) -> None:
    async with uow() as u:
        await u.deleted_objects.record("raw", "p/1.webm", "consent refused", T0)
        await u.deleted_objects.record("raw", "p/1.webm", "consent refused (retry)", T0 + timedelta(seconds=1))
        await u.commit()
    async with engine.connect() as conn:
        assert await conn.scalar(select(func.count()).select_from(deleted_object)) == 2
        at = await conn.scalar(select(deleted_object.c.at).order_by(deleted_object.c.id).limit(1))
        assert at == T0 and at.tzinfo is UTC


async def test_api_keys(uow: UoW) -> None:
    async with uow() as u:
        k = u.api_keys
        await k.add("k1", "hash-1", "ann", T0)
        with pytest.raises(ConflictError):
            await k.add("k1", "hash-2", "ann", T0)
        with pytest.raises(ConflictError):
            await k.add("k2", "hash-1", "bob", T0)
        assert await k.owner_of("hash-1") == "ann"
        assert await k.owner_of("unknown") is None
        assert await k.revoke("k1") is True
        assert await k.revoke("k1") is False
        assert await k.revoke("unknown") is False
        assert await k.owner_of("hash-1") is None
        await u.commit()
