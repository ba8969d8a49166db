"""The notes stage: after a done transcript, never touching it; edits kept only when asked."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import timedelta

import attrs
import pytest

from reflector_core.errors import ConflictError, InvalidInputError, NotesError, NotFoundError
from reflector_core.model import (
    ActionItem,
    MeetingNotes,
    NotesEdits,
    NotesStatus,
    Participant,
    Platform,
    Recording,
    RecordingKind,
    Topic,
    TopicEdit,
    TranscriptStatus,
    Word,
)
from reflector_core.ports import Utterance
from reflector_core.usecases.notes import (
    WriteNotes,
    edit_notes,
    get_notes,
    request_notes,
    utterances,
    write_notes,
)
from reflector_core.usecases.outbound import build_event
from tests.fakes.memory import FixedClock, MemoryStore, MemoryUnitOfWork, RecordingQueue
from tests.unit.usecases.test_process_recording import T0


def notes(title: str = "Storage migration", method: str = "extractive") -> MeetingNotes:
    return MeetingNotes(
        title=title,
        short_summary="The migration went live.",
        long_summary="Storage: the migration went live.",
        topics=(Topic("Storage", "The migration went live.", 0.0, 3.0),),
        action_items=(ActionItem("Open a ticket", "Lena", 1.0),),
        method=method,
    )


class Writer:
    def __init__(self, result: MeetingNotes | Exception, method: str = "extractive") -> None:
        self.result = result
        self._method = method
        self.seen: list[Sequence[Utterance]] = []

    @property
    def method(self) -> str:
        return self._method

    async def write(self, items: Sequence[Utterance], *, duration: float | None) -> MeetingNotes:
        self.seen.append(items)
        if isinstance(self.result, Exception):
            raise self.result
        return self.result


class World:
    def __init__(self) -> None:
        self.store = MemoryStore()
        self.clock = FixedClock(T0 + timedelta(hours=1))
        self.queue = RecordingQueue()

    def uow(self) -> MemoryUnitOfWork:
        return MemoryUnitOfWork(self.store)

    async def transcript(self, status: TranscriptStatus = TranscriptStatus.DONE) -> str:
        uow = self.uow()
        rec, _ = await uow.recordings.upsert(Recording(Platform.DAILY, "r1", "daily", RecordingKind.RAW_TRACKS))
        t, _ = await uow.transcripts.ensure(rec.id or "")
        tid = t.id or ""
        for s in (TranscriptStatus.QUEUED, TranscriptStatus.PROCESSING, TranscriptStatus.DONE):
            if s is TranscriptStatus.DONE and status is not TranscriptStatus.DONE:
                break
            await uow.transcripts.transition(tid, s)
        self.store.transcripts[tid] = attrs.evolve(
            self.store.transcripts[tid],
            words=(
                Word("I", 0.0, 0.2, 0),
                Word("will", 0.3, 0.5, 0),
                Word("open", 0.6, 0.8, 0),
                Word("a", 0.9, 1.0, 0),
                Word("ticket.", 1.1, 1.4, 0),
                Word("Thanks.", 2.0, 2.4, 1),
            ),
            participants=(Participant(0, "p-1", "Lena"),),
            duration=3.0,
        )
        return tid

    async def write(self, tid: str, *writers: Writer, keep_edits: bool = False) -> object:
        return await write_notes(tid, unit_of_work=self.uow, writers=writers, clock=self.clock, keep_edits=keep_edits)


async def test_notes_are_written_from_labelled_turns_and_stored_beside_the_transcript() -> None:
    w = World()
    tid = await w.transcript()
    before = w.store.transcripts[tid]
    writer = Writer(notes())
    await w.write(tid, writer)
    assert writer.seen[0] == [
        Utterance("Lena", 0.0, 1.4, "I will open a ticket."),
        Utterance("Speaker 1", 2.0, 2.4, "Thanks."),
    ]
    stored = await get_notes(tid, owner=None, unit_of_work=w.uow)
    assert stored.status is NotesStatus.DONE and stored.notes == notes() and stored.error is None
    assert w.store.transcripts[tid] == before  # the transcript itself is untouched


async def test_a_failing_llm_falls_back_to_the_next_writer_and_says_why() -> None:
    w = World()
    tid = await w.transcript()
    await w.write(tid, Writer(NotesError("llm:m", "HTTP 503"), "llm:m"), Writer(notes()))
    stored = await get_notes(tid, owner=None, unit_of_work=w.uow)
    assert stored.status is NotesStatus.DONE and stored.notes == notes()
    assert stored.error is not None and "HTTP 503" in stored.error
    assert w.store.transcripts[tid].status is TranscriptStatus.DONE


async def test_when_every_writer_fails_the_notes_fail_and_the_transcript_stays_done() -> None:
    w = World()
    tid = await w.transcript()
    await w.write(tid, Writer(NotesError("llm:m", "timed out"), "llm:m"), Writer(ValueError("a library bug")))
    stored = await get_notes(tid, owner=None, unit_of_work=w.uow)
    assert stored.status is NotesStatus.FAILED and stored.notes is None
    assert stored.error is not None and "timed out" in stored.error and "a library bug" in stored.error
    assert w.store.transcripts[tid].status is TranscriptStatus.DONE
    none = await write_notes(tid, unit_of_work=w.uow, writers=(), clock=w.clock)
    assert none.status is NotesStatus.FAILED and none.error == "no notes writer is configured"


async def test_a_failed_regeneration_keeps_the_notes_the_user_had() -> None:
    w = World()
    tid = await w.transcript()
    await w.write(tid, Writer(notes()))
    await edit_notes(tid, NotesEdits(title="Mine"), owner=None, unit_of_work=w.uow, clock=w.clock)
    await w.write(tid, Writer(NotesError("llm:m", "down")))
    stored = await get_notes(tid, owner=None, unit_of_work=w.uow)
    assert stored.status is NotesStatus.FAILED and stored.notes is not None and stored.notes.title == "Mine"


async def test_edits_show_over_the_generated_notes_and_regeneration_drops_them_unless_kept() -> None:
    w = World()
    tid = await w.transcript()
    await w.write(tid, Writer(notes()))
    item = ActionItem("Send the numbers", "Lena", 1.0)
    await edit_notes(
        tid, NotesEdits(title="  Our  migration ", action_items=(item,)), owner=None, unit_of_work=w.uow, clock=w.clock
    )
    stored = await edit_notes(
        tid, NotesEdits(short_summary="Went live.\n\nNo incidents."), owner=None, unit_of_work=w.uow, clock=w.clock
    )
    shown = stored.notes
    assert shown is not None
    assert (shown.title, shown.short_summary, shown.action_items) == (
        "Our migration",
        "Went live.\n\nNo incidents.",
        (item,),
    )
    assert shown.long_summary == notes().long_summary  # not edited: generated
    assert stored.generated == notes()

    await w.write(tid, Writer(notes("New title")), keep_edits=True)
    kept = (await get_notes(tid, owner=None, unit_of_work=w.uow)).notes
    assert kept is not None and kept.title == "Our migration" and kept.topics == notes().topics

    await w.write(tid, Writer(notes("New title")))
    fresh = await get_notes(tid, owner=None, unit_of_work=w.uow)
    assert fresh.notes == notes("New title") and fresh.edits.empty


def two_topics(title: str = "Storage migration", second_start: float = 1.5) -> MeetingNotes:
    topics = (Topic("Storage", "Went live.", 0.0, second_start), Topic("Budget", "Approved.", second_start, 3.0))
    return attrs.evolve(notes(title), topics=topics)


async def test_topic_edits_show_merge_per_topic_and_are_kept_on_regeneration_only_when_asked() -> None:
    w = World()
    tid = await w.transcript()
    await w.write(tid, Writer(two_topics()))
    edit = NotesEdits(topics=(TopicEdit(1.5, title="  Money "),))
    await edit_notes(tid, edit, owner=None, unit_of_work=w.uow, clock=w.clock)
    later = NotesEdits(topics=(TopicEdit(1.5, summary="Finance said yes.\n\nFor April."),))
    stored = await edit_notes(tid, later, owner=None, unit_of_work=w.uow, clock=w.clock)
    shown = stored.notes
    assert shown is not None and not stored.edits.empty
    assert shown.topics == (
        Topic("Storage", "Went live.", 0.0, 1.5),  # not named: as generated
        Topic("Money", "Finance said yes.\n\nFor April.", 1.5, 3.0),  # both edits, the title cleaned
    )
    assert stored.generated == two_topics()

    # Kept when asked, on the topic that now holds that moment (another writer cut it at 1.2 s).
    await w.write(tid, Writer(two_topics("New", second_start=1.2)), keep_edits=True)
    kept = (await get_notes(tid, owner=None, unit_of_work=w.uow)).notes
    assert kept is not None and [t.title for t in kept.topics] == ["Storage", "Money"]
    assert kept.topics[1].start == 1.2

    await w.write(tid, Writer(two_topics("New")))
    fresh = await get_notes(tid, owner=None, unit_of_work=w.uow)
    assert fresh.notes == two_topics("New") and fresh.edits.empty


async def test_a_topic_edit_must_name_a_topic_by_its_start() -> None:
    w = World()
    tid = await w.transcript()
    await w.write(tid, Writer(two_topics()))
    with pytest.raises(InvalidInputError, match=r"no topic starts at 1\.0"):
        await edit_notes(
            tid, NotesEdits(topics=(TopicEdit(1.0, title="X"),)), owner=None, unit_of_work=w.uow, clock=w.clock
        )
    for bad in (TopicEdit(1.5, title=" "), TopicEdit(1.5, summary="x" * 20_001)):
        with pytest.raises(InvalidInputError):
            await edit_notes(tid, NotesEdits(topics=(bad,)), owner=None, unit_of_work=w.uow, clock=w.clock)


@pytest.mark.parametrize(
    "edits",
    [NotesEdits(title="  "), NotesEdits(title="x" * 301), NotesEdits(action_items=(ActionItem(" ", None, 0.0),))],
)
async def test_empty_or_oversized_edits_are_refused(edits: NotesEdits) -> None:
    w = World()
    tid = await w.transcript()
    await w.write(tid, Writer(notes()))
    with pytest.raises(InvalidInputError):
        await edit_notes(tid, edits, owner=None, unit_of_work=w.uow, clock=w.clock)


async def test_notes_need_a_done_transcript_and_edits_need_notes() -> None:
    w = World()
    tid = await w.transcript(TranscriptStatus.PROCESSING)
    with pytest.raises(ConflictError):
        await w.write(tid, Writer(notes()))
    with pytest.raises(ConflictError):
        await get_notes(tid, owner=None, unit_of_work=w.uow)
    with pytest.raises(NotFoundError):
        await get_notes("nope", owner=None, unit_of_work=w.uow)
    done = World()
    tid = await done.transcript()
    assert (await get_notes(tid, owner=None, unit_of_work=done.uow)).status is NotesStatus.PENDING
    with pytest.raises(ConflictError):
        await edit_notes(tid, NotesEdits(title="x"), owner=None, unit_of_work=done.uow, clock=done.clock)


async def test_a_regeneration_request_queues_the_job_with_the_users_choice() -> None:
    w = World()
    tid = await w.transcript()
    await w.write(tid, Writer(notes()))
    pending = await request_notes(tid, owner=None, keep_edits=True, unit_of_work=w.uow, queue=w.queue, clock=w.clock)
    assert pending.status is NotesStatus.PENDING and pending.generated == notes()
    assert w.queue.jobs == [WriteNotes(tid, keep_edits=True, announce=False)]


async def test_the_webhook_body_carries_the_notes_with_edits_applied() -> None:
    from reflector_core.model import Room

    w = World()
    tid = await w.transcript()
    await w.write(tid, Writer(notes()))
    stored = await edit_notes(tid, NotesEdits(title="Edited"), owner=None, unit_of_work=w.uow, clock=w.clock)
    body = json.loads(
        build_event(
            w.store.transcripts[tid],
            Room("r", Platform.DAILY),
            event_id="e",
            meeting_id=None,
            created_at=T0,
            notes=stored,
        )
    )
    sent = body["transcript"]["notes"]
    assert sent["title"] == "Edited" and sent["method"] == "extractive" and sent["edited"] is True
    assert sent["topics"] == [{"title": "Storage", "summary": "The migration went live.", "start": 0.0, "end": 3.0}]
    assert sent["action_items"] == [{"text": "Open a ticket", "speaker": "Lena", "start": 1.0}]
    bare = json.loads(
        build_event(w.store.transcripts[tid], Room("r", Platform.DAILY), event_id="e", meeting_id=None, created_at=T0)
    )
    assert bare["transcript"]["notes"] is None


def test_utterances_use_participant_names() -> None:
    from reflector_core.model import Transcript

    t = Transcript("r", words=(Word("Hi.", 0.0, 0.5, 2),), participants=(Participant(2, name="Ann"),))
    assert utterances(t) == [Utterance("Ann", 0.0, 0.5, "Hi.")]
