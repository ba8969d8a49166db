"""The domain model: frozen value objects that every layer speaks.

Times are timezone-aware UTC ``datetime`` values for wall-clock instants and ``float``
seconds for positions on a meeting timeline (0 = the recording's start).
"""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Generic, TypeVar

import attrs
from attrs import field, frozen

from reflector_core.errors import StatusTransitionError, WordError


class Platform(enum.StrEnum):
    """Where a recording comes from: a video platform, or an upload (never a room's platform)."""

    WHEREBY = "whereby"
    DAILY = "daily"
    UPLOAD = "upload"


class RecordingKind(enum.StrEnum):
    """What a room records: one composed file, one file per participant, or nothing."""

    CLOUD = "cloud"
    RAW_TRACKS = "raw-tracks"
    NONE = "none"


class ConsentPolicy(enum.StrEnum):
    """Whether participants must be asked before their voices are kept."""

    NOT_REQUIRED = "not-required"
    REQUIRED = "required"
    REQUIRED_KEEP_TEXT = "required-keep-text"
    """Consent required for audio; a refusal deletes audio but keeps the transcript text."""


class TrackKind(enum.StrEnum):
    AUDIO = "audio"
    VIDEO = "video"


class TranscriptStatus(enum.StrEnum):
    DISCOVERED = "discovered"
    QUEUED = "queued"
    PROCESSING = "processing"
    DONE = "done"
    FAILED = "failed"


# The status machine: a transcript only moves forward; a failed one may be queued again,
# and "queued"/"processing" may be re-entered by a retry of the same job.
_ALLOWED: dict[TranscriptStatus, frozenset[TranscriptStatus]] = {
    TranscriptStatus.DISCOVERED: frozenset({TranscriptStatus.QUEUED, TranscriptStatus.FAILED}),
    TranscriptStatus.QUEUED: frozenset({TranscriptStatus.PROCESSING, TranscriptStatus.FAILED}),
    TranscriptStatus.PROCESSING: frozenset(
        {TranscriptStatus.PROCESSING, TranscriptStatus.DONE, TranscriptStatus.FAILED}
    ),
    TranscriptStatus.DONE: frozenset(),
    TranscriptStatus.FAILED: frozenset({TranscriptStatus.QUEUED}),
}


def can_transition(current: TranscriptStatus, wanted: TranscriptStatus) -> bool:
    return wanted in _ALLOWED[current]


def allowed_sources(wanted: TranscriptStatus) -> frozenset[TranscriptStatus]:
    """Every status from which ``wanted`` may be reached (for conditional updates)."""
    return frozenset(s for s, targets in _ALLOWED.items() if wanted in targets)


class EditKind(enum.StrEnum):
    TITLE = "title"
    RENAME = "rename"
    MERGE = "merge"
    REASSIGN = "reassign"


class ConsentChoice(enum.StrEnum):
    GIVEN = "given"
    REFUSED = "refused"


def _utc(value: datetime | None) -> datetime | None:
    if value is not None and value.utcoffset() is None:
        raise ValueError(f"naive datetime {value!r}: Reflector stores UTC-aware instants only")
    return value


@frozen
class Room:
    name: str
    platform: Platform
    recording_kind: RecordingKind = RecordingKind.RAW_TRACKS
    locked: bool = False
    consent_policy: ConsentPolicy = ConsentPolicy.NOT_REQUIRED
    webhook_url: str | None = None
    webhook_secret: str | None = field(default=None, repr=False)
    owner: str | None = None
    language: str = "en"
    """Its recordings' language: ``auto`` (detected per recording) or an ISO 639-1 code (``reflector_core.languages``)."""
    id: str | None = None


@frozen
class Meeting:
    platform: Platform
    platform_meeting_id: str
    platform_room_name: str
    room_url: str
    host_room_url: str
    start: datetime = field(converter=_utc)
    end: datetime = field(converter=_utc)
    room_name: str | None = None
    active: bool = True
    id: str | None = None


@frozen
class Track:
    """One object of a recording; for Daily raw tracks, one participant's audio or video."""

    key: str
    kind: TrackKind = TrackKind.AUDIO
    participant_id: str | None = None
    offset: float | None = None
    """Seconds from the recording start, from the file name stamps when known."""
    size: int | None = None


@frozen
class Recording:
    platform: Platform
    platform_recording_id: str
    bucket: str
    kind: RecordingKind
    tracks: tuple[Track, ...] = ()
    started_at: datetime | None = field(default=None, converter=_utc)
    duration: float | None = None
    platform_room_name: str | None = None
    meeting_id: str | None = None
    platform_session_id: str | None = None
    """Daily ``mtgSessionId``: the key to the participants API; often missing."""
    object_key: str | None = None
    """The composed file (Whereby MP4, Daily cloud) or the Daily key prefix."""
    status: str | None = None
    """The platform's own status (Daily: ``finished``, ``in-progress``, ``canceled``); ``None`` = finished."""
    linked_by_time: bool = False
    """``meeting_id`` was chosen by time proximity only (a fallback worth flagging), not by room name."""
    owner: str | None = None
    """Who uploaded it (uploads only: a platform recording belongs to its meeting's room's owner)."""
    id: str | None = None

    @property
    def audio_tracks(self) -> tuple[Track, ...]:
        return tuple(t for t in self.tracks if t.kind is TrackKind.AUDIO)


@frozen
class Participant:
    """A speaker of a transcript: ``speaker`` is the index words refer to."""

    speaker: int
    participant_id: str | None = None
    name: str | None = None
    user_id: str | None = None

    @property
    def label(self) -> str:
        return self.name or f"Speaker {self.speaker}"


@frozen
class ParticipantSession:
    """One stay of one participant in a meeting (a presence snapshot or a joined/left event)."""

    meeting_id: str
    session_id: str
    joined_at: datetime = field(converter=_utc)
    user_id: str | None = None
    name: str | None = None
    left_at: datetime | None = field(default=None, converter=_utc)


def _check_word(instance: Word, _attr: attrs.Attribute[float], _value: float) -> None:
    if not instance.text.strip():
        raise WordError("a word needs text")
    if instance.start < 0 or instance.end < instance.start:
        raise WordError(f"impossible word timing {instance.start}..{instance.end} for {instance.text!r}")


@frozen
class Word:
    text: str
    start: float
    end: float = field(validator=_check_word)
    speaker: int = 0
    probability: float | None = field(default=None, eq=False)


@frozen
class TrackFailure:
    """Why one track of a recording produced no words."""

    track: str
    reason: str


@frozen
class Transcript:
    recording_id: str
    status: TranscriptStatus = TranscriptStatus.DISCOVERED
    words: tuple[Word, ...] = ()
    participants: tuple[Participant, ...] = ()
    duration: float | None = None
    audio_location: str | None = None
    audio_deleted: bool = False
    error: str | None = None
    failed_tracks: tuple[TrackFailure, ...] = ()
    language: str | None = None
    """Before processing: the language asked for (an upload's), if any; after: the one transcribed
    (what ``auto`` detected), ``None`` when unknown (no speech, or transcribed before languages were stored)."""
    id: str | None = None
    created_at: datetime | None = field(default=None, converter=_utc, eq=False)
    updated_at: datetime | None = field(default=None, converter=_utc, eq=False)
    """Set by the repository; the last status change or result, which the stuck-job sweep compares."""
    title: str | None = None
    """A title a person gave it (``None``: the room and the date). Its own column: processing never touches it."""

    def moved_to(self, status: TranscriptStatus) -> Transcript:
        if not can_transition(self.status, status):
            raise StatusTransitionError(self.id or self.recording_id, self.status, status)
        return attrs.evolve(self, status=status)


@frozen
class TranscriptEdit:
    """One change a person made to a transcript: the edit log, shown to people and replayed after reprocessing.

    ``rename``: ``speaker`` gets ``text`` as name (``None``: back to ``Speaker N``); ``merge``: every word of
    ``speaker`` goes to ``to_speaker``; ``reassign``: the words whose middle lies in [``start``, ``end``)
    (only those of ``speaker`` when it is set) go to ``to_speaker``; ``title``: ``text`` is the new title.
    """

    transcript_id: str
    kind: EditKind
    by: str
    at: datetime = field(converter=_utc)
    speaker: int | None = None
    to_speaker: int | None = None
    start: float | None = None
    end: float | None = None
    text: str | None = None
    id: int | None = None


@frozen
class ConsentDecision:
    meeting_id: str
    participant: str
    """The participant or user id that decided (or an anonymous client id)."""
    choice: ConsentChoice
    at: datetime = field(converter=_utc)


class DeliveryState(enum.StrEnum):
    PENDING = "pending"
    """Not delivered yet; ``next_attempt_at`` says when to try again."""
    DELIVERED = "delivered"
    FAILED = "failed"
    """Given up: a 4xx answer, a refused target, or the retry window ran out."""


@frozen
class DeliveryAttempt:
    """One POST of an outbound webhook: the HTTP status it got, or why it got none."""

    number: int
    at: datetime = field(converter=_utc)
    status_code: int | None = None
    error: str | None = None


@frozen
class WebhookDelivery:
    """One outbound event for a room's ``webhook_url``: the body is fixed once, so every retry is identical."""

    event_id: str
    event: str
    """``transcript.completed`` or ``transcript.failed``."""
    transcript_id: str
    room_name: str
    url: str
    body: str
    """The exact JSON sent (and signed) on every attempt."""
    created_at: datetime = field(converter=_utc)
    state: DeliveryState = DeliveryState.PENDING
    next_attempt_at: datetime | None = field(default=None, converter=_utc)
    attempts: tuple[DeliveryAttempt, ...] = ()


class RecordingState(enum.StrEnum):
    """Where the service is in starting a meeting's platform recording (Daily: we start it by REST)."""

    REQUESTED = "requested"
    """Someone joined; the start job is queued or retrying."""
    STARTED = "started"
    FAILED = "failed"
    """Given up; ``error`` says why. Only the owner's explicit start moves it on."""
    STOPPED = "stopped"
    """The owner stopped it; joins do not restart it."""


@frozen
class MeetingRecording:
    """The one recording-start record of a meeting: the row is the "exactly once" guarantee."""

    meeting_id: str
    state: RecordingState
    requested_at: datetime = field(converter=_utc)
    updated_at: datetime = field(converter=_utc)
    requested_by: str | None = None
    """``participant.joined``, ``presence`` or the owner who asked."""
    started_at: datetime | None = field(default=None, converter=_utc)
    attempts: int = 0
    """Start attempts that failed so far (each one already retried "call not hosted yet" inside)."""
    error: str | None = None
    """The last failure, shown to the owner and on the room page."""


# --- values the ports exchange --------------------------------------------------------------------


@frozen
class PlatformParticipant:
    """A participant as the platform's meeting history knows them."""

    participant_id: str
    user_id: str | None = None
    name: str | None = None
    joined_at: datetime | None = None
    duration: float | None = None


@frozen
class ObjectInfo:
    key: str
    size: int
    last_modified: datetime | None = None


T = TypeVar("T")


@frozen
class Page(Generic[T]):
    items: tuple[T, ...]
    total: int
    offset: int
    limit: int


@frozen
class TranscriptFilter:
    room: str | None = None
    meeting_id: str | None = None
    platform_recording_id: str | None = None
    status: TranscriptStatus | None = None
    owner: str | None = None
    viewer: str | None = None
    """The transcripts this user owns or that are shared with them by name."""
    created_from: datetime | None = None
    """Inclusive lower bound on ``created_at``."""
    created_before: datetime | None = None
    """Exclusive upper bound on ``created_at``."""


@frozen
class Waveform:
    """Peak amplitudes (0..1) at a fixed rate, for the player."""

    peaks: tuple[float, ...]
    peaks_per_second: float
    duration: float
    failed_tracks: tuple[TrackFailure, ...] = ()
    """Tracks that could not be (fully) decoded; their missing audio is silence in the mix."""


@frozen
class Utterance:
    """One speaker turn as a notes writer reads it: who (display label), when, what was said."""

    speaker: str
    start: float
    end: float
    text: str


# --- meeting notes ---------------------------------------------------------------------------------


class NotesStatus(enum.StrEnum):
    """Where a transcript's meeting notes are; independent of the transcript's own status."""

    PENDING = "pending"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


@frozen
class Topic:
    """One stretch of the meeting about one thing, with its title and summary (timeline seconds)."""

    title: str
    summary: str
    start: float
    end: float


@frozen
class ActionItem:
    """Something someone will do; ``speaker`` is who owns it when the meeting said so."""

    text: str
    speaker: str | None
    start: float


@frozen
class MeetingNotes:
    title: str
    short_summary: str
    long_summary: str
    topics: tuple[Topic, ...] = ()
    action_items: tuple[ActionItem, ...] = ()
    method: str = "extractive"
    """``extractive`` (the offline default: sentences of the meeting itself) or ``llm:<model>``."""


@frozen
class TopicEdit:
    """A user's title or summary for the topic that starts at ``start`` (``None`` = not edited)."""

    start: float
    title: str | None = None
    summary: str | None = None

    def over(self, older: TopicEdit) -> TopicEdit:
        return TopicEdit(
            start=self.start,
            title=older.title if self.title is None else self.title,
            summary=older.summary if self.summary is None else self.summary,
        )


def _edited_topics(topics: tuple[Topic, ...], edits: tuple[TopicEdit, ...]) -> tuple[Topic, ...]:
    """Each edit lands on the topic covering its start (the same topic, or after a regeneration with
    other boundaries the one now holding that moment); of several, the one nearest the topic's start."""
    if not edits or not topics:
        return topics
    out = list(topics)
    for k, topic in enumerate(topics):
        end = topics[k + 1].start if k + 1 < len(topics) else float("inf")
        lo = topic.start - TOPIC_START_SLACK if k else float("-inf")
        inside = [e for e in edits if lo <= e.start < end - TOPIC_START_SLACK]
        if inside:
            edit = min(inside, key=lambda e: abs(e.start - topic.start))
            out[k] = attrs.evolve(
                topic,
                title=topic.title if edit.title is None else edit.title,
                summary=topic.summary if edit.summary is None else edit.summary,
            )
    return tuple(out)


TOPIC_START_SLACK = 0.001
"""Topic starts are stored to the millisecond: an edit names its topic's start to that precision."""


@frozen
class NotesEdits:
    """What a user changed by hand; ``None`` = not edited. Laid over whatever was generated."""

    title: str | None = None
    short_summary: str | None = None
    long_summary: str | None = None
    action_items: tuple[ActionItem, ...] | None = None
    topics: tuple[TopicEdit, ...] = ()
    """Per topic, by the topic's start; only the topics named are edited."""

    @property
    def empty(self) -> bool:
        return self == NotesEdits()

    def apply(self, notes: MeetingNotes) -> MeetingNotes:
        return attrs.evolve(
            notes,
            title=notes.title if self.title is None else self.title,
            short_summary=notes.short_summary if self.short_summary is None else self.short_summary,
            long_summary=notes.long_summary if self.long_summary is None else self.long_summary,
            action_items=notes.action_items if self.action_items is None else self.action_items,
            topics=_edited_topics(notes.topics, self.topics),
        )

    def merged(self, newer: NotesEdits) -> NotesEdits:
        """``newer``'s edits over these (a second PATCH changes only what it names)."""
        topics = {round(e.start, 3): e for e in self.topics}
        for edit in newer.topics:
            key = round(edit.start, 3)
            topics[key] = edit.over(topics[key]) if key in topics else edit
        return NotesEdits(
            title=self.title if newer.title is None else newer.title,
            short_summary=self.short_summary if newer.short_summary is None else newer.short_summary,
            long_summary=self.long_summary if newer.long_summary is None else newer.long_summary,
            action_items=self.action_items if newer.action_items is None else newer.action_items,
            topics=tuple(sorted(topics.values(), key=lambda e: e.start)),
        )


@frozen
class TranscriptNotes:
    """The notes stored with one transcript: what was generated, the user's edits, and how the stage went."""

    transcript_id: str
    status: NotesStatus = NotesStatus.PENDING
    generated: MeetingNotes | None = None
    edits: NotesEdits = NotesEdits()
    error: str | None = None
    """Why the last generation failed, or why a fallback writer was used (the LLM's error)."""
    updated_at: datetime | None = field(default=None, converter=_utc, eq=False)

    @property
    def notes(self) -> MeetingNotes | None:
        """What a reader sees: the generated notes with the user's edits applied."""
        return None if self.generated is None else self.edits.apply(self.generated)
