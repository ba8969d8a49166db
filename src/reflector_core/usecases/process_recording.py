"""Process one transcript's recording end to end: fetch, transcribe, store, clean up.

The CPU work (probe, transcribe, merge, mix) is the ``Pipeline`` port; this use case is the I/O
around it, written so a retry after a crash (worker killed mid-pipeline) finishes the job without
duplicating anything: the status is ``processing`` until the end, uploads overwrite the same keys,
and the result replaces the previous one.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Iterable, Sequence
from contextlib import ExitStack
from pathlib import Path
from typing import ClassVar, TypeVar

import attrs
from attrs import frozen

from reflector_core.audio_keys import audio_key, waveform_key
from reflector_core.deletion import Deleter
from reflector_core.diarization import SpeakerHint
from reflector_core.editing import replay
from reflector_core.errors import (
    DeletionIncompleteError,
    ForeignSourceError,
    InvalidInputError,
    NotFoundError,
    ObjectNotFoundError,
    ReflectorError,
    StorageError,
    TrackError,
)
from reflector_core.exports import waveform
from reflector_core.jobs import Job
from reflector_core.model import (
    Participant,
    Recording,
    RecordingKind,
    TrackFailure,
    Transcript,
    TranscriptStatus,
)
from reflector_core.naming import speech_tracks
from reflector_core.ports import (
    Clock,
    ObjectStorage,
    ParticipantDirectory,
    Pipeline,
    PipelineResult,
    ProgressCallback,
    RecordingSource,
    SourceFile,
    UnitOfWork,
    WorkFolders,
)
from reflector_core.processing import ProcessingOptions
from reflector_core.recording_sources import RecordingSources
from reflector_core.usecases.consent import apply_consent, has_refusal

log = logging.getLogger(__name__)


@frozen
class ProcessRecording(Job):
    """Process one transcript's recording (enqueued once it is ``queued``); ``process_recording`` runs it."""

    name: ClassVar[str] = "process_recording"
    transcript_id: str
    language: str | None = None
    """``auto`` or an ISO 639-1 code (an upload's); None: the room's, else the transcript's, else the default."""
    speakers: int | None = None
    """How many people speak (an upload's hint): the diarizer finds exactly that many. ``language`` and
    ``speakers`` are ``process_recording``'s arguments of the same names; ``_begin`` chooses the language."""


T = TypeVar("T")
RunBlocking = Callable[[Callable[[], T]], Awaitable[T]]


@frozen
class ProcessOutcome:
    transcript_id: str
    status: TranscriptStatus
    detail: str


async def _start(uow: UnitOfWork, transcript_id: str) -> Transcript | ProcessOutcome:
    transcript = await uow.transcripts.get(transcript_id)
    if transcript is None:
        raise NotFoundError("transcript", transcript_id)
    if transcript.status in (TranscriptStatus.DONE, TranscriptStatus.FAILED, TranscriptStatus.DISCOVERED):
        return ProcessOutcome(transcript_id, transcript.status, f"nothing to do in status {transcript.status}")
    # queued → processing; processing → processing is a retry of a job whose worker died.
    if not await uow.transcripts.transition(transcript_id, TranscriptStatus.PROCESSING):
        return ProcessOutcome(transcript_id, transcript.status, "another worker took it")
    await uow.commit()
    return transcript


async def _session_id(recording: Recording, source: RecordingSource | None) -> str | None:
    """The platform meeting session: webhooks leave it out, the recordings API usually has it."""
    if recording.platform_session_id or source is None:
        return recording.platform_session_id
    try:
        return (await source.get_recording(recording.platform_recording_id)).platform_session_id
    except ReflectorError as exc:
        log.warning("recording %s: no meeting session id (%s)", recording.platform_recording_id, exc)
        return None


async def _names(
    unit_of_work: Callable[[], UnitOfWork],
    recording: Recording,
    directory: ParticipantDirectory | None,
    session_id: str | None,
) -> dict[str, Participant]:
    """participant id → name: our presence records, overridden by the platform's meeting history."""
    names: dict[str, Participant] = {}
    if recording.meeting_id:
        async with unit_of_work() as uow:
            sessions = await uow.participant_sessions.for_meeting(recording.meeting_id)
        for ps in sessions:
            names[ps.session_id] = Participant(
                speaker=-1, participant_id=ps.session_id, name=ps.name, user_id=ps.user_id
            )
    if directory is not None and session_id:
        try:
            for p in await directory.participants(session_id):
                names[p.participant_id] = Participant(
                    speaker=-1, participant_id=p.participant_id, name=p.name, user_id=p.user_id
                )
        except ReflectorError as exc:  # names are nice to have; never fail a transcript for them
            log.warning("participant names unavailable for %s: %s", recording.platform_recording_id, exc)
    return names


def speaker_hint(known: Iterable[Participant]) -> SpeakerHint:
    """At most as many speakers as distinct people the platform saw (by user, else name, else id).

    A mixed recording's diarizer is bounded by it; some of them may never speak, so it is not exact.
    """
    people = {p.user_id or p.name or p.participant_id for p in known} - {None, ""}
    return SpeakerHint(at_most=len(people) or None)


async def _refused(uow: UnitOfWork, recording: Recording) -> bool:
    if not recording.meeting_id:
        return False
    return has_refusal(await uow.consents.for_meeting(recording.meeting_id))


Input = tuple[str, str | None, float | None]
"""An object to transcribe: its key, the participant id and the offset its file name gives."""


def _inputs(recording: Recording) -> list[Input]:
    """The speech tracks in speaker order (multitrack), or the one mixed recording."""
    if recording.kind is RecordingKind.RAW_TRACKS:
        return [(t.key, parsed.participant_id, parsed.filename_offset) for t, parsed in speech_tracks(recording.tracks)]
    return [(recording.object_key, None, None)] if recording.object_key else []


async def _download(
    storage: ObjectStorage, keys: Sequence[Input], names: dict[str, Participant], folder: Path
) -> tuple[list[SourceFile], list[TrackFailure]]:
    """Each input to ``folder``, speaker ``index`` for the ``index``-th; what cannot come back is a failure."""
    sources: list[SourceFile] = []
    failed: list[TrackFailure] = []
    for index, (key, pid, offset) in enumerate(keys):
        path = folder / f"{index:03d}"
        try:
            await storage.download(key, path)
        except (InvalidInputError, ObjectNotFoundError) as exc:  # retrying cannot bring these back
            failed.append(TrackFailure(key, failure_reason(exc)))
            continue
        known = names.get(pid or "")
        participant = Participant(
            speaker=index,
            participant_id=pid,
            name=known.name if known else None,
            user_id=known.user_id if known else None,
        )
        sources.append(SourceFile(path, key, participant, offset))
    return sources, failed


async def _store_audio(storage: ObjectStorage, transcript_id: str, output: PipelineResult, folder: Path) -> str | None:
    """Upload the mix and its waveform; the audio location, or ``None`` when there is no mix."""
    if output.mp3_path is None:
        return None
    await storage.upload(audio_key(transcript_id), output.mp3_path, content_type="audio/mpeg")
    if output.waveform is not None:
        wf = folder / "waveform.json"
        wf.write_text(waveform.render(output.waveform))
        await storage.upload(waveform_key(transcript_id), wf, content_type="application/json")
    return audio_key(transcript_id)


async def _begin(
    unit_of_work: Callable[[], UnitOfWork], transcript_id: str, language: str | None
) -> tuple[Transcript, Recording, str | None] | ProcessOutcome:
    """Move the transcript to ``processing``, load its recording and pick its language, or say why
    there is nothing to do.

    The language: the job's (an upload's), else the room's (a reprocess follows a changed room
    setting), else the transcript's own (an upload's, kept across retries), else None (the default).
    """
    async with unit_of_work() as uow:
        started = await _start(uow, transcript_id)
        if isinstance(started, ProcessOutcome):
            return started
        recording = await uow.recordings.get(started.recording_id)
        if recording is None:
            raise NotFoundError("recording", started.recording_id)
        meeting = await uow.meetings.get(recording.meeting_id) if recording.meeting_id else None
        room = await uow.rooms.get(meeting.room_name) if meeting is not None and meeting.room_name else None
    return started, recording, language or (room.language if room is not None else None) or started.language


def processing_options(
    names: Iterable[Participant], *, speakers: int | None, language: str | None
) -> ProcessingOptions:
    """A speaker count given with the upload fixes the count; else the platform's participants bound it."""
    hint = SpeakerHint(exactly=speakers) if speakers else speaker_hint(names)
    return ProcessingOptions(speakers=hint, language=language)


async def _save_done(
    unit_of_work: Callable[[], UnitOfWork],
    transcript: Transcript,
    output: PipelineResult,
    location: str | None,
    failed: Sequence[TrackFailure],
) -> None:
    async with unit_of_work() as uow:
        done = attrs.evolve(
            transcript,
            words=output.words,
            participants=output.participants,
            duration=output.duration,
            audio_location=location,
            failed_tracks=tuple(failed),
            error=None,
            language=output.language,
        )
        # What people changed survives: the edit log is applied again to the new words (docs/web.md, "Editing").
        done, skipped = replay(done, await uow.edits.for_transcript(transcript.id or ""))
        for edit in skipped:
            log.warning("transcript %s: edit %s (%s) no longer applies after reprocessing", done.id, edit.id, edit.kind)
        await uow.transcripts.save_result(done)
        await uow.transcripts.transition(transcript.id or "", TranscriptStatus.DONE)
        await uow.commit()


def _readable(sources: RecordingSources, recording: Recording) -> tuple[ObjectStorage, list[Input]] | str:
    """The bucket and the inputs to read, or why the recording cannot be processed."""
    try:
        storage = sources.storage_for(recording)
    except ForeignSourceError as exc:  # a row stored before sources were checked: never read it
        log.error("%s", exc)
        return "the recording is not in its platform's recordings bucket"
    keys = _inputs(recording)
    return (storage, keys) if keys else "the recording has no speech audio to transcribe"


async def process_recording(
    transcript_id: str,
    *,
    unit_of_work: Callable[[], UnitOfWork],
    sources: RecordingSources,
    transcript_bucket: ObjectStorage,
    pipeline: Pipeline,
    run_blocking: RunBlocking[PipelineResult],
    work: WorkFolders,
    clock: Clock,
    directory: ParticipantDirectory | None = None,
    source: RecordingSource | None = None,
    delete_raw_after: bool = False,
    progress: ProgressCallback = lambda stage, done, total: None,
    language: str | None = None,
    speakers: int | None = None,
) -> ProcessOutcome:
    started = await _begin(unit_of_work, transcript_id, language)
    if isinstance(started, ProcessOutcome):
        return started
    transcript, recording, language = started
    # Platform calls happen outside any transaction (SQLite would hold its write lock meanwhile).
    names = await _names(unit_of_work, recording, directory, await _session_id(recording, source))
    readable = _readable(sources, recording)
    if isinstance(readable, str):
        return await _fail(unit_of_work, transcript_id, readable)
    source_bucket, keys = readable
    # Held (locked) while this job runs: a dead attempt's leftovers are removed first, and a consent
    # cleanup or the start-up sweep can tell this live folder from a killed job's.
    held = ExitStack()
    job_dir = held.enter_context(work.job(transcript_id))
    (job_dir / "in").mkdir(mode=0o700)
    try:
        files, failed = await _download(source_bucket, keys, names, job_dir / "in")
        progress("download", len(keys), len(keys))
        if not files:
            return await _fail(unit_of_work, transcript_id, "no track could be downloaded", failed)
        multitrack = recording.kind is RecordingKind.RAW_TRACKS
        options = processing_options(names.values(), speakers=speakers, language=language)
        output = await run_blocking(
            lambda: pipeline(files, job_dir / "out", multitrack=multitrack, progress=progress, options=options)
        )
        failed += output.failed_tracks
        if not output.words and len(failed) >= len(keys):
            return await _fail(unit_of_work, transcript_id, "every track failed", failed)

        async with unit_of_work() as uow:
            refused = await _refused(uow, recording)
        location = None if refused else await _store_audio(transcript_bucket, transcript_id, output, job_dir / "out")
        await _save_done(unit_of_work, transcript, output, location, failed)
        if delete_raw_after and not failed:
            # Retention 0: the raw tracks go once transcribed, audited; a failure is left for the retention job.
            await Deleter(unit_of_work, clock, "retention").delete(source_bucket, [k for k, _, _ in keys])
        await _consent_recheck(unit_of_work, recording, sources, transcript_bucket, clock, work)
        detail = f"{len(output.words)} words from {len(files)} file(s){f', {len(failed)} failed' if failed else ''}"
        return ProcessOutcome(transcript_id, TranscriptStatus.DONE, detail)
    except (InvalidInputError, TrackError) as exc:
        return await _fail(unit_of_work, transcript_id, failure_reason(exc))
    finally:
        held.close()


def failure_reason(exc: Exception) -> str:
    """What failed, for the API and webhooks: never where (no bucket, no ``s3://`` path, no local path).

    The log keeps the whole exception; a reader of a transcript needs only the operation and the cause.
    """
    if isinstance(exc, StorageError):
        return f"{exc.operation} of the track failed: {exc.reason}"
    if isinstance(exc, TrackError):
        return exc.reason
    return str(exc)


async def _consent_recheck(
    unit_of_work: Callable[[], UnitOfWork],
    recording: Recording,
    sources: RecordingSources,
    transcript_bucket: ObjectStorage,
    clock: Clock,
    work: WorkFolders,
) -> None:
    """Look for a refusal again now that the transcript is done, and clean up if there is one.

    The check before the upload can miss a refusal recorded during the upload; the refusal's own job may
    have run while the transcript was still processing (and left it pending). A refusal committed after
    this look finds the transcript done when its job runs, so no ordering leaves derived audio behind.
    """
    if not recording.meeting_id:
        return
    async with unit_of_work() as uow:
        refused = await _refused(uow, recording)
    if not refused:
        return
    try:
        await apply_consent(
            recording.meeting_id,
            unit_of_work=unit_of_work,
            sources=sources,
            transcript_bucket=transcript_bucket,
            work=work,
            clock=clock,
        )
    except DeletionIncompleteError as exc:
        # The transcript is done and must stay done; the consent sweep finishes the deletion.
        log.warning("consent cleanup after transcript of %s incomplete: %s", recording.platform_recording_id, exc)


async def _fail(
    unit_of_work: Callable[[], UnitOfWork], transcript_id: str, reason: str, failed: Sequence[TrackFailure] = ()
) -> ProcessOutcome:
    async with unit_of_work() as uow:
        transcript = await uow.transcripts.get(transcript_id)
        if transcript is not None and failed:
            await uow.transcripts.save_result(attrs.evolve(transcript, failed_tracks=tuple(failed), error=reason))
        await uow.transcripts.transition(transcript_id, TranscriptStatus.FAILED, error=reason)
        await uow.commit()
    log.error("transcript %s failed: %s", transcript_id, reason)
    return ProcessOutcome(transcript_id, TranscriptStatus.FAILED, reason)
