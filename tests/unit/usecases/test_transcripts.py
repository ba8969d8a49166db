from __future__ import annotations

import pytest

from reflector_core.errors import ConflictError, InvalidInputError, NotFoundError
from reflector_core.model import Participant, Transcript, TranscriptStatus, Word
from reflector_core.usecases.process_recording import ProcessRecording
from reflector_core.usecases.transcripts import ExportFormat, get_transcript, rename_speaker, render_export, reprocess
from tests.fakes.memory import MemoryStore, MemoryUnitOfWork, RecordingQueue

WORDS = (Word(" Hello", 0.0, 0.5, 0), Word(" Yes.", 1.0, 1.4, 1))


def _store(status: TranscriptStatus = TranscriptStatus.DONE) -> MemoryStore:
    store = MemoryStore()
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
    await rename_speaker("t1", 1, "Bob", unit_of_work=_uow(store))
    t = await rename_speaker("t1", 0, "  Ana   María ", unit_of_work=_uow(store))
    assert [(p.speaker, p.name, p.participant_id) for p in t.participants] == [(0, "Ana María", "p0"), (1, "Bob", None)]
    assert store.transcripts["t1"].participants == t.participants
    assert "Bob: Yes." in render_export(store.transcripts["t1"], ExportFormat.SRT)


async def test_rename_errors() -> None:
    store = _store()
    with pytest.raises(NotFoundError):
        await rename_speaker("nope", 0, "x", unit_of_work=_uow(store))
    with pytest.raises(NotFoundError):
        await rename_speaker("t1", 5, "x", unit_of_work=_uow(store))
    for name in ("", "  ", "x" * 201):
        with pytest.raises(InvalidInputError):
            await rename_speaker("t1", 0, name, unit_of_work=_uow(store))
    with pytest.raises(ConflictError):
        await rename_speaker("t1", 0, "x", unit_of_work=_uow(_store(TranscriptStatus.QUEUED)))


async def test_reprocess_failed_only_and_once() -> None:
    store, queue = _store(TranscriptStatus.FAILED), RecordingQueue()
    t = await reprocess("t1", unit_of_work=_uow(store), queue=queue)
    assert t.status is TranscriptStatus.QUEUED
    assert (await get_transcript("t1", unit_of_work=_uow(store))).status is TranscriptStatus.QUEUED
    with pytest.raises(ConflictError):
        await reprocess("t1", unit_of_work=_uow(store), queue=queue)
    assert queue.jobs == [ProcessRecording("t1")]
    with pytest.raises(NotFoundError):
        await reprocess("nope", unit_of_work=_uow(store), queue=queue)
