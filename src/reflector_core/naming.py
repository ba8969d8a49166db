"""Names the platforms give things: Daily track keys, Whereby recording files, platform room names.

Each parser is total: it returns a value or raises a specific ``InvalidInputError`` subclass.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime, timedelta
from typing import TypeVar

from attrs import frozen

from reflector_core.errors import RecordingFilenameError, RoomNameError, TrackKeyError
from reflector_core.model import Meeting, Track, TrackKind

_T = TypeVar("_T")

_UUID = r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"
_DAILY_TRACK = re.compile(
    rf"^(?P<rec>\d{{13,}})-(?P<pid>{_UUID})-(?P<source>cam|screen)-(?P<media>audio|video)-(?P<start>\d{{13,}})"
    r"(?P<ext>\.webm)?$"
)
DAILY_STAMP_FORMAT = "%Y%m%d%H%M%S"
_ROOM_NAME = re.compile(r"^[A-Za-z0-9_-]+$")
# Daily allows 128 characters; the meeting suffix "-YYYYMMDDHHMMSS" takes 15 of them.
MAX_ROOM_NAME = 128 - 15


@frozen
class DailyTrackKey:
    """A parsed raw-tracks object key: ``{domain}/{room}/{rec_ms}-{participant}-cam-audio-{track_ms}``."""

    key: str
    prefix: str
    """Everything before the file name (``domain/room``), possibly empty."""
    recording_start_ms: int
    participant_id: str
    source: str
    """``cam`` or ``screen``."""
    media: TrackKind
    track_start_ms: int

    @property
    def room_name(self) -> str | None:
        parts = self.prefix.split("/")
        return parts[-1] if len(parts) >= 2 and parts[-1] else None

    @property
    def is_speech_audio(self) -> bool:
        """Camera-microphone audio; screen-share audio is not a participant speaking."""
        return self.source == "cam" and self.media is TrackKind.AUDIO

    @property
    def filename_offset(self) -> float:
        """Seconds from recording start to track start, from the two stamps in the name.

        Daily's stamp lags the audio's own start by roughly 0.2 s; prefer the container's
        ``start_time`` when it is available and use this as the cross-check.
        """
        return (self.track_start_ms - self.recording_start_ms) / 1000.0


def parse_daily_track_key(key: str) -> DailyTrackKey:
    if not isinstance(key, str) or not key:
        raise TrackKeyError(str(key), "empty key")
    prefix, _, name = key.rpartition("/")
    m = _DAILY_TRACK.match(name)
    if m is None:
        raise TrackKeyError(key, "file name is not {rec_ms}-{participant uuid}-{cam|screen}-{audio|video}-{track_ms}")
    rec, start = int(m["rec"]), int(m["start"])
    if start < rec:
        raise TrackKeyError(key, "track starts before its recording")
    return DailyTrackKey(
        key=key,
        prefix=prefix,
        recording_start_ms=rec,
        participant_id=m["pid"].lower(),
        source=m["source"],
        media=TrackKind(m["media"]),
        track_start_ms=start,
    )


def speech_tracks(tracks: Iterable[Track]) -> list[tuple[Track, DailyTrackKey]]:
    """Audio tracks that carry a participant's microphone, in speaker order (``in_speaker_order``).

    Video tracks, screen-share audio and keys that are not Daily track keys are dropped.
    """
    kept: list[tuple[Track, DailyTrackKey]] = []
    for track in tracks:
        if track.kind is not TrackKind.AUDIO:
            continue
        try:
            parsed = parse_daily_track_key(track.key)
        except TrackKeyError:
            continue
        if parsed.is_speech_audio:
            kept.append((track, parsed))
    return in_speaker_order(kept)


def in_speaker_order(tracks: Iterable[tuple[_T, DailyTrackKey]]) -> list[tuple[_T, DailyTrackKey]]:
    """The one speaker order of Daily tracks: track start, then participant id, then key.

    It does not depend on the order the tracks arrive in, which is what makes speaker indexes
    stable across every discovery path and between the worker and ``reflector process``.
    """
    return sorted(tracks, key=lambda tp: (tp[1].track_start_ms, tp[1].participant_id, tp[1].key))


def track_from_key(key: str, size: int | None = None) -> Track:
    """A ``Track`` with participant and offset filled in from a Daily key (kind from the name)."""
    parsed = parse_daily_track_key(key)
    return Track(
        key=key,
        kind=parsed.media,
        participant_id=parsed.participant_id,
        offset=parsed.filename_offset,
        size=size,
    )


_WHEREBY_STAMP = re.compile(r"(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z)")
WHEREBY_EXTENSIONS = (".mp4", ".mkv")


@frozen
class WherebyRecordingName:
    key: str
    prefix: str
    room_name: str
    """The room name as in the file (Whereby's API spells it with a leading ``/``)."""
    recorded_at: datetime
    extension: str

    @property
    def platform_room_name(self) -> str:
        return "/" + self.room_name


def parse_whereby_recording_key(key: str) -> WherebyRecordingName:
    """Parse ``[folder/]{room_name}-{YYYY-MM-DDTHH:MM:SSZ}.mp4|mkv`` (the key already URL-decoded)."""
    if not isinstance(key, str) or not key:
        raise RecordingFilenameError(str(key), "empty key")
    prefix, _, name = key.rpartition("/")
    stem, dot, ext = name.rpartition(".")
    ext = (dot + ext).lower()
    if not dot or ext not in WHEREBY_EXTENSIONS:
        raise RecordingFilenameError(key, f"extension must be one of {', '.join(WHEREBY_EXTENSIONS)}")
    # The room name may itself contain dashes and even digits; the stamp is the last thing in the stem.
    m = None
    for m in _WHEREBY_STAMP.finditer(stem):  # noqa: B007 - the last match is the one we want
        pass
    if m is None or m.end() != len(stem):
        raise RecordingFilenameError(key, "no trailing YYYY-MM-DDTHH:MM:SSZ stamp")
    head = stem[: m.start()]
    if not head.endswith("-") or len(head) < 2:
        raise RecordingFilenameError(key, "no room name before the stamp")
    try:
        recorded_at = datetime.strptime(m[1], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
    except ValueError as exc:
        raise RecordingFilenameError(key, f"impossible date {m[1]}") from exc
    return WherebyRecordingName(key=key, prefix=prefix, room_name=head[:-1], recorded_at=recorded_at, extension=ext)


def validate_room_name(name: str) -> str:
    if not isinstance(name, str) or not name:
        raise RoomNameError(str(name), "empty")
    if len(name) > MAX_ROOM_NAME:
        raise RoomNameError(name, f"longer than {MAX_ROOM_NAME} characters")
    if not _ROOM_NAME.match(name):
        raise RoomNameError(name, "only letters, digits, '-' and '_' are allowed")
    return name


def daily_room_name(room_name: str, at: datetime) -> str:
    """The per-meeting Daily room name ``{room}-{YYYYMMDDHHMMSS}``, always in UTC."""
    validate_room_name(room_name)
    if at.utcoffset() is None:
        raise RoomNameError(room_name, "meeting time must be timezone-aware")
    return f"{room_name}-{at.astimezone(UTC).strftime(DAILY_STAMP_FORMAT)}"


def parse_daily_room_name(platform_room_name: str) -> tuple[str, datetime]:
    """Split ``{room}-{YYYYMMDDHHMMSS}`` into the room name and the UTC creation time."""
    base, sep, stamp = platform_room_name.rpartition("-")
    if not sep or not base or len(stamp) != 14 or not stamp.isdigit():
        raise RoomNameError(platform_room_name, "no -YYYYMMDDHHMMSS suffix")
    try:
        at = datetime.strptime(stamp, DAILY_STAMP_FORMAT).replace(tzinfo=UTC)
    except ValueError as exc:
        raise RoomNameError(platform_room_name, f"impossible time {stamp}") from exc
    return base, at


@frozen
class MeetingMatch:
    meeting: Meeting
    by_time: bool
    """True when no meeting had the exact platform room name and time proximity decided."""
    distance: float
    """Seconds between the recording start and the meeting's start/end window (0 = inside it)."""


def _strip_slash(name: str) -> str:
    return name[1:] if name.startswith("/") else name


def _distance(meeting: Meeting, at: datetime) -> float:
    if meeting.start <= at <= meeting.end:
        return 0.0
    return min(abs((at - meeting.start).total_seconds()), abs((at - meeting.end).total_seconds()))


def match_recording_to_meeting(
    platform_room_name: str,
    started_at: datetime | None,
    meetings: Sequence[Meeting],
    *,
    room_name: str | None = None,
    window: timedelta = timedelta(hours=12),
) -> MeetingMatch | None:
    """Find the meeting a recording belongs to.

    The platform room name is unique per meeting (Daily) or per Whereby meeting, so an exact match
    wins. Only when none matches, meetings of the same Reflector room within ``window`` of the
    recording start are considered, and the match is flagged ``by_time``.
    """
    wanted = _strip_slash(platform_room_name)
    exact = [m for m in meetings if _strip_slash(m.platform_room_name) == wanted]
    if exact:
        if started_at is None or len(exact) == 1:
            return MeetingMatch(
                exact[0], by_time=False, distance=0.0 if started_at is None else _distance(exact[0], started_at)
            )
        best = min(exact, key=lambda m: (_distance(m, started_at), m.start))
        return MeetingMatch(best, by_time=False, distance=_distance(best, started_at))
    if started_at is None or room_name is None:
        return None
    limit = window.total_seconds()
    near = [m for m in meetings if m.room_name == room_name and _distance(m, started_at) <= limit]
    if not near:
        return None
    best = min(near, key=lambda m: (_distance(m, started_at), m.start, m.platform_meeting_id))
    return MeetingMatch(best, by_time=True, distance=_distance(best, started_at))
