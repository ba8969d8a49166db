"""Daily's JSON, as attrs classes structured by cattrs, and its conversion to the domain.

Key spellings differ by source: the recording's key is ``s3key`` in ``/recordings``, ``s3_key`` in
webhooks, and tracks use ``s3Key`` (the generated client once used ``s3key``). All three are read.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from attrs import frozen

from reflector_adapters.payload import (
    first_present,
    from_iso,
    from_unix,
    guarded,
    make_converter,
    register_renames,
    structure,
)
from reflector_core.errors import PayloadError, TrackKeyError
from reflector_core.model import ParticipantSession, Platform, Recording, RecordingKind, Track, TrackKind
from reflector_core.naming import parse_daily_track_key, speech_tracks
from reflector_core.ports import PlatformParticipant

_KEY_SPELLINGS = ("s3_key", "s3Key", "s3key")
# HIPAA domains report a non-UUID user_id as this literal instead of the value.
_REDACTED_USER_ID = "hipaa"


@frozen
class TrackWire:
    type: str | None = None
    s3_key: str | None = None
    size: int | None = None


@frozen
class S3Wire:
    bucket_name: str | None = None
    key: str | None = None


@frozen
class RecordingWire:
    """One object of ``GET /recordings`` or ``GET /recordings/:id``; also the ready-to-download payload."""

    id: str
    room_name: str | None = None
    start_ts: float | None = None
    status: str | None = None
    duration: float | None = None
    s3_key: str | None = None
    mtg_session_id: str | None = None
    tracks: list[TrackWire] | None = None
    type: str | None = None
    s3: S3Wire | None = None


@frozen
class RecordingPageWire:
    data: list[dict[str, Any]]
    total_count: int | None = None


@frozen
class RoomWire:
    id: str
    name: str
    url: str


@frozen
class TokenWire:
    token: str


@frozen
class PresenceWire:
    """One item of ``GET /rooms/:name/presence`` (the one Daily endpoint that speaks camelCase)."""

    id: str
    join_time: str
    user_id: str | None = None
    user_name: str | None = None
    room: str | None = None
    mtg_session_id: str | None = None
    duration: float | None = None


@frozen
class PresencePageWire:
    data: list[PresenceWire]
    total_count: int | None = None


@frozen
class MeetingParticipantWire:
    participant_id: str
    user_id: str | None = None
    user_name: str | None = None
    join_time: float | None = None
    duration: float | None = None


@frozen
class MeetingParticipantsWire:
    data: list[MeetingParticipantWire]


@frozen
class EnvelopeWire:
    type: str
    payload: dict[str, Any]
    id: str | None = None
    event_ts: float | None = None
    version: str | None = None


@frozen
class ParticipantPayloadWire:
    session_id: str
    room: str | None = None
    user_id: str | None = None
    user_name: str | None = None
    joined_at: float | None = None
    duration: float | None = None


@frozen
class MeetingPayloadWire:
    meeting_id: str | None = None
    room: str | None = None
    start_ts: float | None = None
    end_ts: float | None = None


@frozen
class RecordingStartedWire:
    recording_id: str | None = None
    room_name: str | None = None
    start_ts: float | None = None


@frozen
class RecordingErrorWire:
    action: str | None = None
    error_msg: str | None = None
    instance_id: str | None = None
    room_name: str | None = None
    recording_id: str | None = None


converter = make_converter()
register_renames(converter, RecordingWire, mtg_session_id="mtgSessionId")
register_renames(
    converter, PresenceWire, join_time="joinTime", user_id="userId", user_name="userName", mtg_session_id="mtgSessionId"
)


def _normalise_keys(item: Mapping[str, Any]) -> dict[str, Any]:
    """A copy of ``item`` whose object key, under any spelling, is under ``s3_key``."""
    out = {k: v for k, v in item.items() if k not in _KEY_SPELLINGS}
    out["s3_key"] = first_present(item, *_KEY_SPELLINGS)
    return out


def recording_wire(data: object, source: str, *, id_key: str = "id") -> RecordingWire:
    if not isinstance(data, Mapping):
        raise PayloadError(source, f"expected a recording object, got {type(data).__name__}")
    item = _normalise_keys(data)
    if id_key != "id":
        item["id"] = item.pop(id_key, None)
    tracks = item.get("tracks")
    if isinstance(tracks, list):
        item["tracks"] = [_normalise_keys(t) if isinstance(t, Mapping) else t for t in tracks]
    return structure(converter, item, RecordingWire, source)


def _track(wire: TrackWire, source: str, index: int) -> Track:
    where = f"tracks[{index}]"
    if not wire.s3_key:
        raise PayloadError(source, f"{where}: no s3Key")
    try:
        parsed = parse_daily_track_key(wire.s3_key)
    except TrackKeyError:
        parsed = None
    if wire.type in {"audio", "video"}:
        kind = TrackKind(wire.type)
    elif parsed is not None:
        kind = parsed.media
    else:
        raise PayloadError(source, f"{where}: unknown track type {wire.type!r} for key {wire.s3_key!r}")
    if wire.size is not None and wire.size < 0:
        raise PayloadError(source, f"{where}: negative size {wire.size}")
    return Track(
        key=wire.s3_key,
        kind=kind,
        participant_id=parsed.participant_id if parsed else None,
        offset=parsed.filename_offset if parsed else None,
        size=wire.size,
    )


def _kind(wire: RecordingWire, tracks: Sequence[Track], default: RecordingKind, source: str) -> RecordingKind:
    if wire.type == "raw-tracks":
        return RecordingKind.RAW_TRACKS
    if wire.type in {"cloud", "cloud-audio-only"}:
        return RecordingKind.CLOUD
    if wire.type is not None:
        raise PayloadError(source, f"unknown recording type {wire.type!r}")
    # ``type`` is often missing from /recordings. Tracks prove raw-tracks; an MP4 key proves a composed
    # file (the template allows no other extension). Otherwise the two are indistinguishable: a raw-tracks
    # recording in which everyone stayed muted has no tracks either, so the caller's default decides.
    if tracks:
        return RecordingKind.RAW_TRACKS
    if wire.s3_key and wire.s3_key.lower().endswith(".mp4"):
        return RecordingKind.CLOUD
    return default


def to_recording(
    wire: RecordingWire,
    *,
    bucket: str,
    source: str,
    default_kind: RecordingKind = RecordingKind.RAW_TRACKS,
    speech_only: bool = False,
) -> Recording:
    """The domain recording. ``duration`` is kept only for a finished recording, so ``None`` means "not done".

    ``speech_only`` keeps just the camera-microphone audio tracks (what a webhook hands to processing);
    otherwise every track is kept and ``naming.speech_tracks`` filters later.
    """
    tracks = [_track(t, source, i) for i, t in enumerate(wire.tracks or ())]
    kind = _kind(wire, tracks, default_kind, source)
    if speech_only:
        tracks = [track for track, _parsed in speech_tracks(tracks)]
    finished = wire.status in {None, "finished"}
    if wire.duration is not None and wire.duration < 0:
        raise PayloadError(source, f"negative duration {wire.duration}")
    return guarded(
        source,
        lambda: Recording(
            platform=Platform.DAILY,
            platform_recording_id=wire.id,
            bucket=(wire.s3.bucket_name if wire.s3 and wire.s3.bucket_name else bucket),
            kind=kind,
            tracks=tuple(tracks),
            started_at=from_unix(wire.start_ts, source, "start_ts"),
            duration=wire.duration if finished else None,
            platform_room_name=wire.room_name or None,
            platform_session_id=wire.mtg_session_id or None,
            object_key=wire.s3_key or (wire.s3.key if wire.s3 else None) or None,
            status=wire.status,
        ),
    )


def recordings_page(data: object, source: str) -> list[RecordingWire]:
    page = structure(converter, data, RecordingPageWire, source)
    return [recording_wire(item, f"{source} data[{i}]") for i, item in enumerate(page.data)]


def to_session(wire: PresenceWire, meeting_id: str, source: str) -> ParticipantSession:
    joined = from_iso(wire.join_time, source, "joinTime")
    return guarded(
        source,
        lambda: ParticipantSession(
            meeting_id=meeting_id,
            session_id=wire.id,
            joined_at=joined,
            user_id=user_id(wire.user_id),
            name=wire.user_name or None,
        ),
    )


def user_id(value: str | None) -> str | None:
    return None if not value or value == _REDACTED_USER_ID else value


def to_participant(wire: MeetingParticipantWire, source: str) -> PlatformParticipant:
    return PlatformParticipant(
        participant_id=wire.participant_id,
        user_id=user_id(wire.user_id),
        name=wire.user_name or None,
        joined_at=from_unix(wire.join_time, source, "join_time"),
        duration=wire.duration,
    )
