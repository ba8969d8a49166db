"""One exception hierarchy for the whole system; every error carries the context needed to act on it."""

from __future__ import annotations


class ReflectorError(Exception):
    """Base of every error Reflector raises on purpose."""


class InvalidInputError(ReflectorError, ValueError):
    """Input that can never become valid by retrying: a malformed name, payload or file."""


class TrackKeyError(InvalidInputError):
    """An object key that is not a Daily raw-track key."""

    def __init__(self, key: str, reason: str) -> None:
        super().__init__(f"not a Daily raw-track key ({reason}): {key!r}")
        self.key = key
        self.reason = reason


class RecordingFilenameError(InvalidInputError):
    """A Whereby recording object key that does not follow ``{room}-{ISO time}.mp4``."""

    def __init__(self, key: str, reason: str) -> None:
        super().__init__(f"not a Whereby recording file name ({reason}): {key!r}")
        self.key = key
        self.reason = reason


class RoomNameError(InvalidInputError):
    """A room or platform room name that breaks the naming rules."""

    def __init__(self, name: str, reason: str) -> None:
        super().__init__(f"invalid room name ({reason}): {name!r}")
        self.name = name
        self.reason = reason


class CaptionParseError(InvalidInputError):
    """A WebVTT, SRT or JSON transcript that cannot be read back."""

    def __init__(self, fmt: str, reason: str, line: int | None = None) -> None:
        where = f" at line {line}" if line is not None else ""
        super().__init__(f"cannot parse {fmt}{where}: {reason}")
        self.format = fmt
        self.reason = reason
        self.line = line


class WordError(InvalidInputError):
    """A word whose timing or text is impossible (negative, reversed, empty)."""


class TrackError(ReflectorError):
    """A single track could not be processed; the others still can."""

    def __init__(self, track: str, reason: str, *, recording_id: str | None = None) -> None:
        rec = f" of recording {recording_id}" if recording_id else ""
        super().__init__(f"track {track}{rec}: {reason}")
        self.track = track
        self.reason = reason
        self.recording_id = recording_id


class UnreadableMediaError(TrackError, InvalidInputError):
    """A file that is not audio, is empty, truncated or corrupt."""


class StatusTransitionError(ReflectorError):
    """A transcript status change that the status machine forbids."""

    def __init__(self, transcript_id: str, current: str, wanted: str) -> None:
        super().__init__(f"transcript {transcript_id}: cannot move from {current} to {wanted}")
        self.transcript_id = transcript_id
        self.current = current
        self.wanted = wanted


class NotFoundError(ReflectorError, LookupError):
    """A room, meeting, recording or transcript that does not exist (or is not the caller's)."""

    def __init__(self, kind: str, ident: str) -> None:
        super().__init__(f"{kind} not found: {ident}")
        self.kind = kind
        self.ident = ident


class AuthenticationError(ReflectorError):
    """A missing, malformed, unknown or revoked API key. The message never contains the key itself."""

    def __init__(self, reason: str) -> None:
        super().__init__(f"not authenticated: {reason}")
        self.reason = reason


class ThrottledError(ReflectorError):
    """Too many failed sign-ins for ``key`` lately; ``retry_after`` seconds until the next may succeed."""

    def __init__(self, key: str, retry_after: int) -> None:
        super().__init__(f"too many failed sign-ins; try again in {retry_after} s")
        self.key = key
        self.retry_after = retry_after


class ConflictError(ReflectorError):
    """A write that breaks a uniqueness rule (e.g. a second room with the same name)."""


class MeetingRoomConflictError(ConflictError):
    """A platform meeting id already stored for another room (or for a deleted room's meeting).

    Linking the new meeting to that row would hand one room's meeting, and its recordings and
    transcripts, to another room's owner.
    """

    def __init__(
        self, platform: str, platform_meeting_id: str, stored_room: str | None, wanted_room: str | None
    ) -> None:
        super().__init__(
            f"{platform} meeting {platform_meeting_id} already belongs to "
            f"{'room ' + repr(stored_room) if stored_room else 'no room'}, not to "
            f"{'room ' + repr(wanted_room) if wanted_room else 'no room'}"
        )
        self.platform = platform
        self.platform_meeting_id = platform_meeting_id
        self.stored_room = stored_room
        self.wanted_room = wanted_room


class WebhookRejectedError(InvalidInputError):
    """An inbound webhook whose signature, timestamp or headers do not verify."""

    def __init__(self, platform: str, reason: str) -> None:
        super().__init__(f"{platform} webhook rejected: {reason}")
        self.platform = platform
        self.reason = reason


class PayloadError(InvalidInputError):
    """A correctly signed platform payload or S3 notification that cannot be parsed."""

    def __init__(self, source: str, reason: str) -> None:
        super().__init__(f"malformed {source} payload: {reason}")
        self.source = source
        self.reason = reason


class PlatformError(ReflectorError):
    """A video platform API call failed."""

    def __init__(self, platform: str, operation: str, status: int | None, code: str | None, info: str) -> None:
        parts = [f"{platform} {operation} failed"]
        if status is not None:
            parts.append(f"HTTP {status}")
        if code:
            parts.append(code)
        super().__init__(": ".join([parts[0], " ".join(parts[1:]) + (f" ({info})" if info else "")]))
        self.platform = platform
        self.operation = operation
        self.status = status
        self.code = code
        self.info = info


class PlatformUnavailableError(PlatformError):
    """A transient platform failure (timeout, 5xx, rate limit after retries): try again later."""


class StorageError(ReflectorError):
    """An object storage operation failed."""

    def __init__(self, bucket: str, key: str, operation: str, reason: str) -> None:
        super().__init__(f"{operation} s3://{bucket}/{key} failed: {reason}")
        self.bucket = bucket
        self.key = key
        self.operation = operation
        self.reason = reason


class ObjectNotFoundError(StorageError, LookupError):
    """The object does not exist in the bucket."""

    def __init__(self, bucket: str, key: str, operation: str = "get") -> None:
        super().__init__(bucket, key, operation, "no such object")


class InvalidRangeError(InvalidInputError):
    """A byte range that the object cannot satisfy (HTTP 416), or one that is malformed."""

    def __init__(self, bucket: str, key: str, start: int, end: int | None, reason: str) -> None:
        super().__init__(f"range {start}-{'' if end is None else end} of s3://{bucket}/{key}: {reason}")
        self.bucket = bucket
        self.key = key
        self.start = start
        self.end = end
        self.reason = reason


class QueueError(ReflectorError):
    """A message queue operation failed (transient: retry later; an unacknowledged message comes back)."""

    def __init__(self, queue: str, operation: str, reason: str, *, message_id: str | None = None) -> None:
        msg = f" message {message_id}" if message_id else ""
        super().__init__(f"{operation}{msg} on queue {queue} failed: {reason}")
        self.queue = queue
        self.operation = operation
        self.reason = reason
        self.message_id = message_id


class InvalidKeyError(InvalidInputError):
    """An object key that could escape its bucket or is otherwise unusable."""

    def __init__(self, key: str, reason: str) -> None:
        super().__init__(f"invalid object key ({reason}): {key!r}")
        self.key = key
        self.reason = reason


class ForeignSourceError(InvalidInputError):
    """A recording whose bucket or object keys are not where its platform records our meetings.

    Raised for anything a payload or a platform API answer says that would make us read (and later
    delete) an object we did not receive as that recording's source: another bucket, the transcript
    bucket, a key outside the meeting's room prefix. The recording is ignored, never processed.
    """

    def __init__(self, platform: str, recording_id: str, reason: str) -> None:
        super().__init__(f"{platform} recording {recording_id} refused: {reason}")
        self.platform = platform
        self.recording_id = recording_id
        self.reason = reason


class ConfigurationError(ReflectorError):
    """Settings that are missing or invalid; the message names each one."""


class DeletionIncompleteError(StorageError):
    """Some objects could not be deleted (consent or retention): the job must run again until none are left."""

    def __init__(self, reason: str, failures: list[StorageError]) -> None:
        first = failures[0]
        super().__init__(first.bucket, first.key, "delete", f"{reason}: {len(failures)} object(s) left, first: {first}")
        self.failures = failures


class WebhookDeliveryError(ReflectorError):
    """An outbound webhook POST did not get an answer (connection refused, timeout): worth retrying."""

    def __init__(self, url: str, reason: str) -> None:
        super().__init__(f"webhook POST to {url} failed: {reason}")
        self.url = url
        self.reason = reason


class UnsafeWebhookTargetError(InvalidInputError):
    """A webhook URL whose host is, or resolves to, an address Reflector must not call (SSRF guard)."""

    def __init__(self, url: str, reason: str) -> None:
        super().__init__(f"refusing webhook target {url}: {reason}")
        self.url = url
        self.reason = reason


class NotesError(ReflectorError):
    """A notes writer could not produce notes (LLM unreachable, rate-limited past its retries, bad output)."""

    def __init__(self, method: str, reason: str) -> None:
        super().__init__(f"notes by {method} failed: {reason}")
        self.method = method
        self.reason = reason
