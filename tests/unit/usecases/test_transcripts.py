from __future__ import annotations

from datetime import UTC, datetime

import pytest

from reflector_core.errors import ConflictError, InvalidInputError, NotFoundError
from reflector_core.model import (
    Meeting,
    Participant,
    Platform,
    Recording,
    RecordingKind,
    Room,
    Transcript,
    TranscriptStatus,
    Word,
)
from reflector_core.usecases.editing import rename_speaker
from reflector_core.usecases.process_recording import ProcessRecording
from reflector_core.usecases.transcripts import ExportFormat, get_transcript, render_export, reprocess
from tests.fakes.memory import FixedClock, MemoryStore, MemoryUnitOfWork, RecordingQueue

T0 = datetime(2026, 3, 12, 14, 0, tzinfo=UTC)
WORDS = (Word(" Hello", 0.0, 0.5, 0), Word(" Yes.", 1.0, 1.4, 1))


OWNER = "ana"


def _store(status: TranscriptStatus = TranscriptStatus.DONE) -> MemoryStore:
    """Transcript ``t1`` of a recording of a meeting in ``OWNER``'s room."""
    store = MemoryStore()
    store.rooms["r"] = Room("r", Platform.DAILY, owner=OWNER, id="room-1")
    store.meetings["m1"] = Meeting(Platform.DAILY, "pm-1", "r-1", "u", "u", T0, T0, room_name="r", id="m1")
    store.recordings["rec-1"] = Recording(
        Platform.DAILY, "pr-1", "b", RecordingKind.RAW_TRACKS, meeting_id="m1", id="rec-1"
    )
    done = status is TranscriptStatus.DONE
    store.transcripts["t1"] = Transcript(
        "rec-1",
        status=status,
        words=WORDS if done else (),
        participants=(Participant(0, "p0", "Ana"),) if done else (),
        id="t1",
    )
    return store


def _uow(store: MemoryStore):  # type: ignore[no-untyped-def]
    return lambda: MemoryUnitOfWork(store)


@pytest.mark.parametrize("fmt", list(ExportFormat))
def test_every_format_renders_the_words(fmt: ExportFormat) -> None:
    out = render_export(_store().transcripts["t1"], fmt)
    assert "Hello" in out
    assert "Yes." in out


def test_exports_need_a_done_transcript() -> None:
    with pytest.raises(ConflictError):
        render_export(_store(TranscriptStatus.PROCESSING).transcripts["t1"], ExportFormat.VTT)


async def test_rename_a_known_and_an_unnamed_speaker() -> None:
    store = _store()
    await rename_speaker("t1", 1, "Bob", owner=OWNER, unit_of_work=_uow(store), clock=FixedClock())
    t = await rename_speaker("t1", 0, "  Ana   María ", owner=OWNER, unit_of_work=_uow(store), clock=FixedClock())
    assert [(p.speaker, p.name, p.participant_id) for p in t.participants] == [(0, "Ana María", "p0"), (1, "Bob", None)]
    assert store.transcripts["t1"].participants == t.participants
    assert "Bob: Yes." in render_export(store.transcripts["t1"], ExportFormat.SRT)


async def test_rename_errors() -> None:
    store = _store()
    with pytest.raises(NotFoundError):
        await rename_speaker("nope", 0, "x", owner=OWNER, unit_of_work=_uow(store), clock=FixedClock())
    with pytest.raises(NotFoundError):
        await rename_speaker("t1", 5, "x", owner=OWNER, unit_of_work=_uow(store), clock=FixedClock())
    for name in ("", "  ", "x" * 201):
        with pytest.raises(InvalidInputError):
            await rename_speaker("t1", 0, name, owner=OWNER, unit_of_work=_uow(store), clock=FixedClock())
    with pytest.raises(ConflictError):
        await rename_speaker(
            "t1", 0, "x", owner=OWNER, unit_of_work=_uow(_store(TranscriptStatus.QUEUED)), clock=FixedClock()
        )


async def test_reprocess_failed_only_and_once() -> None:
    store, queue = _store(TranscriptStatus.FAILED), RecordingQueue()
    t = await reprocess("t1", owner=OWNER, unit_of_work=_uow(store), queue=queue)
    assert t.status is TranscriptStatus.QUEUED
    assert (await get_transcript("t1", unit_of_work=_uow(store))).status is TranscriptStatus.QUEUED
    with pytest.raises(ConflictError):
        await reprocess("t1", owner=OWNER, unit_of_work=_uow(store), queue=queue)
    assert queue.jobs == [ProcessRecording("t1")]
    with pytest.raises(NotFoundError):
        await reprocess("nope", owner=OWNER, unit_of_work=_uow(store), queue=queue)


async def test_only_the_owner_may_rename_or_reprocess() -> None:
    # The check lives in the use case, so no entrypoint (API, pages, CLI) can skip it.
    store, failed = _store(), _store(TranscriptStatus.FAILED)
    with pytest.raises(NotFoundError):
        await rename_speaker("t1", 0, "x", owner="bob", unit_of_work=_uow(store), clock=FixedClock())
    with pytest.raises(NotFoundError):
        await reprocess("t1", owner="bob", unit_of_work=_uow(failed), queue=RecordingQueue())
    assert failed.transcripts["t1"].status is TranscriptStatus.FAILED
