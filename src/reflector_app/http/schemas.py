"""Request and response bodies at the HTTP edge, and their conversion from the domain."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

import msgspec

from reflector_core.model import (
    ConsentChoice,
    ConsentDecision,
    ConsentPolicy,
    DeliveryAttempt,
    DeliveryState,
    EditKind,
    Meeting,
    MeetingRecording,
    Participant,
    ParticipantSession,
    Platform,
    RecordingKind,
    RecordingState,
    Room,
    Transcript,
    TranscriptEdit,
    TranscriptStatus,
    WebhookDelivery,
)
from reflector_core.ports import Page
from reflector_core.usecases.meetings import JoinInfo
from reflector_core.usecases.rooms import UNCHANGED, RoomChanges

RoomName = Annotated[str, msgspec.Meta(min_length=1, max_length=200)]
Url = Annotated[str, msgspec.Meta(min_length=1, max_length=4096)]
Secret = Annotated[str, msgspec.Meta(min_length=1, max_length=4096)]
Language = Annotated[
    str,
    msgspec.Meta(
        min_length=2,
        max_length=16,
        description="'auto' (detected per recording; needs a multilingual Whisper model) or an ISO 639-1 code",
        examples=["en", "auto", "de"],
    ),
]


class _In(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """Request bodies refuse unknown fields: a misspelt setting must not be silently dropped."""


RoomPlatform = Literal["whereby", "daily"]
"""A room's video platform (``upload`` is where an uploaded recording comes from, never a room's)."""


class RoomCreate(_In):
    name: RoomName
    platform: RoomPlatform
    recording_kind: RecordingKind = RecordingKind.RAW_TRACKS
    locked: bool = False
    consent_policy: ConsentPolicy = ConsentPolicy.NOT_REQUIRED
    webhook_url: Url | None = None
    webhook_secret: Secret | None = None
    language: Language | None = None
    """None: the server's default (``REFLECTOR_DEFAULT_LANGUAGE``)."""

    def to_room(self, owner: str | None, default_language: str = "en") -> Room:
        return Room(
            name=self.name,
            platform=Platform(self.platform),
            recording_kind=self.recording_kind,
            locked=self.locked,
            consent_policy=self.consent_policy,
            webhook_url=self.webhook_url,
            webhook_secret=self.webhook_secret,
            owner=owner,
            language=self.language or default_language,
        )


class RoomUpdate(_In):
    """Only the fields present change; ``null`` clears the webhook URL or secret."""

    platform: RoomPlatform | msgspec.UnsetType = msgspec.UNSET
    recording_kind: RecordingKind | msgspec.UnsetType = msgspec.UNSET
    locked: bool | msgspec.UnsetType = msgspec.UNSET
    consent_policy: ConsentPolicy | msgspec.UnsetType = msgspec.UNSET
    webhook_url: Url | msgspec.UnsetType | None = msgspec.UNSET
    webhook_secret: Secret | msgspec.UnsetType | None = msgspec.UNSET
    language: Language | msgspec.UnsetType = msgspec.UNSET

    def to_changes(self) -> RoomChanges:
        def keep(value: object) -> object:
            return UNCHANGED if value is msgspec.UNSET else value

        changes = {f: keep(getattr(self, f)) for f in self.__struct_fields__}
        if isinstance(self.platform, str):
            changes["platform"] = Platform(self.platform)
        return RoomChanges(**changes)  # type: ignore[arg-type]


class RoomOut(msgspec.Struct, kw_only=True):
    id: str | None
    name: str
    platform: Platform
    recording_kind: RecordingKind
    locked: bool
    consent_policy: ConsentPolicy
    owner: str | None
    language: str
    """What its recordings are transcribed in: ``auto`` or an ISO 639-1 code."""
    webhook_url_set: bool
    """The URL may itself carry a credential (chat webhooks do), so neither it nor the secret is shown."""
    webhook_secret_set: bool

    @classmethod
    def of(cls, room: Room) -> RoomOut:
        return cls(
            id=room.id,
            name=room.name,
            platform=room.platform,
            recording_kind=room.recording_kind,
            locked=room.locked,
            consent_policy=room.consent_policy,
            owner=room.owner,
            language=room.language,
            webhook_url_set=room.webhook_url is not None,
            webhook_secret_set=room.webhook_secret is not None,
        )


class RecordingOut(msgspec.Struct, kw_only=True):
    """The service's start of a meeting's Daily recording (absent until someone joined)."""

    state: RecordingState
    requested_by: str | None
    requested_at: datetime
    started_at: datetime | None
    attempts: int
    """Start attempts that failed so far."""
    error: str | None
    """Why the last attempt failed (``failed``: why it was given up)."""

    @classmethod
    def of(cls, r: MeetingRecording | None) -> RecordingOut | None:
        if r is None:
            return None
        return cls(
            state=r.state,
            requested_by=r.requested_by,
            requested_at=r.requested_at,
            started_at=r.started_at,
            attempts=r.attempts,
            error=r.error,
        )


class MeetingOut(msgspec.Struct, kw_only=True):
    id: str | None
    room_name: str | None
    platform: Platform
    platform_room_name: str
    room_url: str
    start: datetime
    end: datetime
    active: bool
    recording: RecordingOut | None = None
    """Shown in a meeting's details and the room's meeting list; ``null`` until someone joined (or elsewhere)."""

    @classmethod
    def of(cls, meeting: Meeting, recording: MeetingRecording | None = None) -> MeetingOut:
        return cls(
            id=meeting.id,
            room_name=meeting.room_name,
            platform=meeting.platform,
            platform_room_name=meeting.platform_room_name,
            room_url=meeting.room_url,
            start=meeting.start,
            end=meeting.end,
            active=meeting.active,
            recording=RecordingOut.of(recording),
        )


class RoomMeetingOut(msgspec.Struct, kw_only=True):
    meeting: MeetingOut
    created: bool


class JoinOut(msgspec.Struct, kw_only=True):
    meeting_id: str | None
    url: str
    """The host URL for the room's owner, the participant URL for everyone else."""
    token: str | None
    """A Daily meeting token (owner only), valid until ``expires_at``."""
    expires_at: datetime
    owner: bool

    @classmethod
    def of(cls, info: JoinInfo) -> JoinOut:
        return cls(
            meeting_id=info.meeting.id,
            url=info.url,
            token=info.token,
            expires_at=info.expires_at,
            owner=info.owner,
        )


class SessionOut(msgspec.Struct, kw_only=True):
    session_id: str
    user_id: str | None
    name: str | None
    joined_at: datetime
    left_at: datetime | None

    @classmethod
    def of(cls, s: ParticipantSession) -> SessionOut:
        return cls(session_id=s.session_id, user_id=s.user_id, name=s.name, joined_at=s.joined_at, left_at=s.left_at)


class ConsentIn(_In):
    participant: Annotated[str, msgspec.Meta(min_length=1, max_length=200)]
    choice: ConsentChoice


class ConsentOut(msgspec.Struct, kw_only=True):
    meeting_id: str
    participant: str
    choice: ConsentChoice
    at: datetime

    @classmethod
    def of(cls, d: ConsentDecision) -> ConsentOut:
        return cls(meeting_id=d.meeting_id, participant=d.participant, choice=d.choice, at=d.at)


class ParticipantOut(msgspec.Struct, kw_only=True):
    speaker: int
    participant_id: str | None
    name: str | None
    label: str

    @classmethod
    def of(cls, p: Participant) -> ParticipantOut:
        return cls(speaker=p.speaker, participant_id=p.participant_id, name=p.name, label=p.label)


class RenameIn(_In):
    name: Annotated[str, msgspec.Meta(max_length=1000)] | None
    """``null`` returns the speaker to ``Speaker N``."""


Speaker = Annotated[int, msgspec.Meta(ge=0, le=10_000)]
Seconds = Annotated[float, msgspec.Meta(ge=0, le=1_000_000)]


class TitleIn(_In):
    title: Annotated[str, msgspec.Meta(max_length=1000)] | None
    """``null`` or blank returns to the default title (the room and the date)."""


class MergeIn(_In):
    speaker: Speaker
    """The speaker that disappears: all its words become ``into``'s."""
    into: Speaker


class ReassignIn(_In):
    start: Seconds
    end: Seconds
    """The words whose middle lies in [start, end) move."""
    to: Speaker
    speaker: int | None = None
    """(0 to 10000; checked by the use case: the document cannot bound an optional number) Only this speaker's words (one turn: its speaker and its span); absent: every word in the range."""


class EditOut(msgspec.Struct, kw_only=True):
    id: int | None
    kind: EditKind
    by: str
    at: datetime
    speaker: int | None
    to_speaker: int | None
    start: float | None
    end: float | None
    text: str | None
    """The new name (rename) or title (title); ``null`` when it went back to the default."""

    @classmethod
    def of(cls, e: TranscriptEdit) -> EditOut:
        return cls(
            id=e.id,
            kind=e.kind,
            by=e.by,
            at=e.at,
            speaker=e.speaker,
            to_speaker=e.to_speaker,
            start=e.start,
            end=e.end,
            text=e.text,
        )


class EditsOut(msgspec.Struct, kw_only=True):
    edits: list[EditOut]
    """Oldest first."""


class TrackFailureOut(msgspec.Struct):
    track: str
    reason: str


class SnippetOut(msgspec.Struct, kw_only=True):
    text: str
    start: float
    """Seconds into the meeting where the matching turn starts."""


class TranscriptItem(msgspec.Struct, kw_only=True):
    id: str | None
    title: str | None
    """The title a person gave it; ``null``: none (pages show the room and the date)."""
    status: TranscriptStatus
    recording_id: str
    duration: float | None
    created_at: datetime | None
    snippets: list[SnippetOut] | msgspec.UnsetType = msgspec.UNSET
    """Only in answers to a search (``q``): the matching turns."""

    @classmethod
    def of(cls, t: Transcript) -> TranscriptItem:
        return cls(
            id=t.id,
            title=t.title,
            status=t.status,
            recording_id=t.recording_id,
            duration=t.duration,
            created_at=t.created_at,
        )


class TranscriptPage(msgspec.Struct, kw_only=True):
    items: list[TranscriptItem]
    total: int
    offset: int
    limit: int

    @classmethod
    def of(cls, page: Page[Transcript]) -> TranscriptPage:
        return cls(
            items=[TranscriptItem.of(t) for t in page.items], total=page.total, offset=page.offset, limit=page.limit
        )


class TranscriptOut(msgspec.Struct, kw_only=True):
    id: str | None
    title: str | None
    """The title a person gave it; ``null``: none (pages show the room and the date)."""
    status: TranscriptStatus
    recording_id: str
    participants: list[ParticipantOut]
    duration: float | None
    error: str | None
    failed_tracks: list[TrackFailureOut]
    audio_deleted: bool
    audio_available: bool
    language: str | None
    """The language transcribed (what ``auto`` detected); null: not known (not processed yet, no speech,
    or processed before languages were recorded)."""
    created_at: datetime | None
    updated_at: datetime | None

    @classmethod
    def of(cls, t: Transcript) -> TranscriptOut:
        return cls(
            id=t.id,
            title=t.title,
            status=t.status,
            recording_id=t.recording_id,
            participants=[ParticipantOut.of(p) for p in sorted(t.participants, key=lambda p: p.speaker)],
            duration=t.duration,
            error=t.error,
            failed_tracks=[TrackFailureOut(f.track, f.reason) for f in t.failed_tracks],
            audio_deleted=t.audio_deleted,
            audio_available=t.audio_location is not None and not t.audio_deleted,
            language=t.language,
            created_at=t.created_at,
            updated_at=t.updated_at,
        )


class StatusEvent(msgspec.Struct, kw_only=True, omit_defaults=True):
    """One message of the live status stream."""

    id: str
    status: TranscriptStatus
    error: str | None
    stage: str | None = None
    """While processing: ``probe``, ``transcribe`` or ``mixdown``."""
    progress: float | None = None
    """While processing: 0..1 of the stage, when known."""


class AttemptOut(msgspec.Struct, kw_only=True):
    number: int
    at: datetime
    status_code: int | None
    """The receiver's HTTP status; ``None`` when no answer came (``error`` says why)."""
    error: str | None

    @classmethod
    def of(cls, a: DeliveryAttempt) -> AttemptOut:
        return cls(number=a.number, at=a.at, status_code=a.status_code, error=a.error)


class DeliveryOut(msgspec.Struct, kw_only=True):
    """One outbound webhook event and its attempts. Neither the URL nor the body is shown: the URL may be a
    credential (as in ``RoomOut``) and the body is the transcript, which has its own endpoints."""

    event_id: str
    event: str
    state: DeliveryState
    created_at: datetime
    next_attempt_at: datetime | None
    attempts: list[AttemptOut]

    @classmethod
    def of(cls, d: WebhookDelivery) -> DeliveryOut:
        return cls(
            event_id=d.event_id,
            event=d.event,
            state=d.state,
            created_at=d.created_at,
            next_attempt_at=d.next_attempt_at,
            attempts=[AttemptOut.of(a) for a in d.attempts],
        )


class WebhookReply(msgspec.Struct):
    status: str
    """``accepted``, ``duplicate``, ``ignored`` or ``ok`` (the verification ping)."""


class Health(msgspec.Struct):
    status: str
    failures: dict[str, str] = msgspec.field(default_factory=dict)


class ErrorOut(msgspec.Struct):
    status_code: int
    detail: str


class ShareIn(_In):
    """``link``: a new link (an earlier one stops working); ``user``: let ``username`` read it;
    ``private``: no link and no users."""

    mode: Literal["link", "user", "private"]
    username: Annotated[str, msgspec.Meta(min_length=1, max_length=255)] | None = None


class ShareOut(msgspec.Struct, kw_only=True):
    mode: str
    """``private``, ``link``, ``users`` or ``link+users``."""
    url: str | None = None
    """Only in the answer that made the link: it opens the transcript signed out (shown once)."""
    link_created_at: datetime | None
    users: list[str]
    """The users it is shared with by name: they see it in their library, read-only."""


class ApiKeyOut(msgspec.Struct, kw_only=True):
    id: str
    created_at: datetime
    revoked: bool


class NewApiKeyOut(msgspec.Struct, kw_only=True):
    id: str
    key: str
    """The key itself: shown in this answer only (only its hash is stored)."""
