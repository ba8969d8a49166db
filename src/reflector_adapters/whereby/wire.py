"""Whereby's JSON, as attrs classes structured by cattrs, and its conversion to the domain."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from attrs import frozen

from reflector_adapters.payload import first_present, from_iso, guarded, make_converter, register_renames, structure
from reflector_core.errors import PayloadError, RecordingFilenameError
from reflector_core.model import Meeting, ParticipantSession, Platform, Recording, RecordingKind
from reflector_core.naming import parse_whereby_recording_key


@frozen
class MeetingCreatedWire:
    meeting_id: str
    room_name: str
    room_url: str
    host_room_url: str | None = None
    end_date: str | None = None


@frozen
class RoomSessionWire:
    room_session_id: str
    started_at: str
    ended_at: str | None = None
    room_name: str | None = None


@frozen
class RoomSessionsPageWire:
    results: list[dict[str, Any]]
    cursor: str | None = None


@frozen
class EnvelopeWire:
    type: str
    data: dict[str, Any]
    id: str | None = None
    created_at: str | None = None
    api_version: str | None = None


@frozen
class ClientPayloadWire:
    participant_id: str
    meeting_id: str | None = None
    room_name: str | None = None
    room_session_id: str | None = None
    display_name: str | None = None
    role_name: str | None = None
    external_id: str | None = None


@frozen
class SessionPayloadWire:
    meeting_id: str | None = None
    room_name: str | None = None
    room_session_id: str | None = None


@frozen
class RecordingFinishedWire:
    filename: str
    recording_id: str | None = None
    room_name: str | None = None
    status: str | None = None


converter = make_converter()
register_renames(
    converter,
    MeetingCreatedWire,
    meeting_id="meetingId",
    room_name="roomName",
    room_url="roomUrl",
    host_room_url="hostRoomUrl",
    end_date="endDate",
)
register_renames(
    converter,
    RoomSessionWire,
    room_session_id="roomSessionId",
    started_at="startedAt",
    ended_at="endedAt",
    room_name="roomName",
)
register_renames(converter, EnvelopeWire, created_at="createdAt", api_version="apiVersion")
register_renames(
    converter,
    ClientPayloadWire,
    participant_id="participantId",
    meeting_id="meetingId",
    room_name="roomName",
    room_session_id="roomSessionId",
    display_name="displayName",
    role_name="roleName",
    external_id="externalId",
)
register_renames(
    converter, SessionPayloadWire, meeting_id="meetingId", room_name="roomName", room_session_id="roomSessionId"
)
register_renames(converter, RecordingFinishedWire, recording_id="recordingId", room_name="roomName")


def with_slash(room_name: str | None) -> str | None:
    """Whereby's API spells room names with a leading ``/``; payloads and files are not consistent."""
    if not room_name:
        return None
    return room_name if room_name.startswith("/") else "/" + room_name


def room_sessions_page(data: object, source: str) -> tuple[list[RoomSessionWire], str | None]:
    page = structure(converter, data, RoomSessionsPageWire, source)
    sessions = []
    for i, item in enumerate(page.results):
        where = f"{source} results[{i}]"
        if not isinstance(item, Mapping):
            raise PayloadError(where, f"expected an object, got {type(item).__name__}")
        # The OpenAPI schema's required list says createdAt/endAt while its properties say startedAt/endedAt.
        normalised = dict(item)
        normalised["startedAt"] = first_present(item, "startedAt", "createdAt")
        normalised["endedAt"] = first_present(item, "endedAt", "endAt")
        sessions.append(structure(converter, normalised, RoomSessionWire, where))
    return sessions, page.cursor or None


def to_session(wire: RoomSessionWire, meeting_id: str, source: str) -> ParticipantSession:
    started = from_iso(wire.started_at, source, "startedAt")
    ended = from_iso(wire.ended_at, source, "endedAt")
    return guarded(
        source,
        lambda: ParticipantSession(
            meeting_id=meeting_id, session_id=wire.room_session_id, joined_at=started, left_at=ended
        ),
    )


def to_meeting(wire: MeetingCreatedWire, *, room_name: str, start: Any, end: Any, source: str) -> Meeting:
    return guarded(
        source,
        lambda: Meeting(
            platform=Platform.WHEREBY,
            platform_meeting_id=wire.meeting_id,
            platform_room_name=wire.room_name,
            room_url=wire.room_url,
            host_room_url=wire.host_room_url or wire.room_url,
            start=start,
            end=end,
            room_name=room_name,
        ),
    )


def finished_recording(wire: RecordingFinishedWire, *, bucket: str, prefix: str, source: str) -> Recording:
    """The composed MP4 of a ``recording.finished`` event, located in our bucket under ``prefix``."""
    if not wire.filename or "/" in wire.filename or wire.filename in {".", ".."}:
        raise PayloadError(source, f"filename {wire.filename!r} is not a plain file name")
    key = f"{prefix.strip('/')}/{wire.filename}" if prefix.strip("/") else wire.filename
    try:
        parsed = parse_whereby_recording_key(key)
    except RecordingFilenameError:
        # The file name format is documented loosely; the recording is still real without its start time.
        parsed = None
    return guarded(
        source,
        lambda: Recording(
            platform=Platform.WHEREBY,
            platform_recording_id=wire.recording_id or key,
            bucket=bucket,
            kind=RecordingKind.CLOUD,
            started_at=parsed.recorded_at if parsed else None,
            platform_room_name=with_slash(wire.room_name) or (parsed.platform_room_name if parsed else None),
            object_key=key,
        ),
    )
