"""Where recordings may be read from: one configured bucket per platform, keys under the meeting's room.

A webhook payload, a ``GET /recordings`` answer or an S3 notification *describes* a recording; none
of them may choose which of our buckets is read (and, after processing or by retention and consent,
deleted from). Every recording is checked here before it is stored, again before it is downloaded and
again before its sources are deleted:

- its bucket must be the platform's configured bucket, and never the transcript bucket;
- Daily keys (tracks, the raw-tracks prefix, the composed ``cloud`` file) must follow Daily's
  ``recordings_template`` default ``{domain}/{platform room}/{…}`` for the recording's own room;
- Whereby keys must lie under the configured recordings prefix, as plain file names, and a name that
  carries a room (``{room}-{ISO time}.mp4``) must carry the recording's room.

The Daily domain (the first key segment, ``acme`` for acme.daily.co) must be the configured one
(``REFLECTOR_DAILY_SUBDOMAIN``); when none is configured it is not compared (the bucket still must be
the Daily bucket and the room the recording's own).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from attrs import field, frozen

from reflector_core.errors import ForeignSourceError, RecordingFilenameError
from reflector_core.model import Platform, Recording
from reflector_core.naming import parse_whereby_recording_key
from reflector_core.ports import ObjectStorage


def _keys(recording: Recording) -> list[str]:
    keys = [t.key for t in recording.tracks]
    if recording.object_key:
        keys.append(recording.object_key)
    return keys


def _plain_segments(key: str) -> bool:
    """No empty, ``.`` or ``..`` segment and no backslash: the key names one object, not a path trick."""
    return "\\" not in key and all(part not in {"", ".", ".."} for part in key.split("/"))


def daily_key_problem(key: str, platform_room_name: str, domain: str | None = None) -> str | None:
    """Why ``key`` is not an object of a recording of Daily room ``platform_room_name``, or ``None``.

    ``domain``: the Daily domain the key must start with (``None``: any).
    """
    if not _plain_segments(key):
        return f"key {key!r} is not a plain object key"
    parts = key.split("/")
    if len(parts) < 3 or parts[1] != platform_room_name:
        return f"key {key!r} is not under {domain or '{domain}'}/{platform_room_name}/"
    if domain is not None and parts[0] != domain:
        return f"key {key!r} is not under the Daily domain {domain!r}"
    return None


def whereby_key_problem(key: str, prefix: str, platform_room_name: str | None) -> str | None:
    """Why ``key`` is not a Whereby recording of room ``platform_room_name`` under ``prefix``, or ``None``."""
    folder = prefix.strip("/")
    if not _plain_segments(key):
        return f"key {key!r} is not a plain object key"
    head, _, name = key.rpartition("/")
    if head != folder:
        return f"key {key!r} is not a file directly under the recordings prefix {folder!r}"
    if platform_room_name is None:
        return None  # an S3 event's own key: the room, if any, is read from the name itself
    room = platform_room_name.lstrip("/")
    named: str | None
    try:
        named = parse_whereby_recording_key(key).room_name
    except RecordingFilenameError:
        # The stamp format is documented loosely; the room name still has to lead the file name.
        named = room if name.startswith(room + "-") else None
    if named != room:
        return f"file name {name!r} is not a recording of room {platform_room_name!r}"
    return None


@frozen
class RecordingSources:
    """The platforms' recording buckets (the only buckets recordings are read from or their sources deleted from)."""

    buckets: Mapping[Platform, ObjectStorage]
    transcript_bucket: str
    """Never a source, even if a platform's bucket were configured with the same name."""
    whereby_prefix: str = field(default="")
    uploads: ObjectStorage | None = None
    """The transcript bucket, for uploads only: their files lie under ``uploads/`` in it."""
    daily_domain: str | None = None
    """The Daily domain (subdomain) every Daily key starts with; ``None``: not compared."""

    def problem(self, recording: Recording) -> str | None:
        """Why the recording may not be read from where it says it is, or ``None`` when it may."""
        if recording.platform is Platform.UPLOAD:
            return self._upload_problem(recording)
        storage = self.buckets.get(recording.platform)
        if storage is None:
            return f"no {recording.platform} recordings bucket is configured"
        if recording.bucket == self.transcript_bucket:
            return "the transcript bucket is never a recording source"
        if recording.bucket != storage.bucket:
            return f"bucket {recording.bucket!r} is not the configured {recording.platform} bucket"
        keys = _keys(recording)
        if not keys:
            return None
        return _first(self._key_problems(recording, keys))

    def _upload_problem(self, recording: Recording) -> str | None:
        if self.uploads is None:
            return "uploads are not configured"
        if recording.bucket != self.uploads.bucket:
            return f"bucket {recording.bucket!r} is not the uploads' bucket"
        for key in _keys(recording):
            if not key.startswith("uploads/") or not _plain_segments(key):
                return f"key {key!r} is not an upload's key"
        return None

    def _key_problems(self, recording: Recording, keys: Iterable[str]) -> Iterable[str | None]:
        room = recording.platform_room_name
        if recording.platform is Platform.DAILY:
            if not room:
                yield "a Daily recording without a room name cannot be tied to a room"
                return
            for key in keys:
                yield daily_key_problem(key, room, self.daily_domain)
        else:
            for key in keys:
                yield whereby_key_problem(key, self.whereby_prefix, room)

    def check(self, recording: Recording) -> None:
        """Raise ``ForeignSourceError`` when the recording may not be read from where it says it is."""
        reason = self.problem(recording)
        if reason is not None:
            raise ForeignSourceError(recording.platform.value, recording.platform_recording_id, reason)

    def storage_for(self, recording: Recording) -> ObjectStorage:
        """The bucket to read the recording from (or delete its sources from), after ``check``."""
        self.check(recording)
        if recording.platform is Platform.UPLOAD and self.uploads is not None:
            return self.uploads
        return self.buckets[recording.platform]


def _first(problems: Iterable[str | None]) -> str | None:
    return next((p for p in problems if p is not None), None)
