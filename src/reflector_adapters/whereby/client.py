"""Whereby REST adapter: ``VideoPlatform`` plus room logo upload."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any, Literal

import attrs
import httpx
from attrs import field, frozen

from reflector_adapters.payload import structure
from reflector_adapters.platform_api import ApiClient, ErrorBody, error_text, json_or_none, segment
from reflector_adapters.whereby.wire import MeetingCreatedWire, converter, room_sessions_page, to_meeting, to_session
from reflector_core.errors import ConfigurationError, InvalidInputError, PayloadError
from reflector_core.model import Meeting, ParticipantSession, Platform, RecordingKind, Room

DEFAULT_BASE_URL = "https://api.whereby.dev/v1"
_MAX_PAGE = 100
_PREFIX_LENGTH = 39
_NOT_PREFIX = re.compile(r"[^a-z0-9]")


def _required(_instance: object, attribute: attrs.Attribute[str], value: str) -> None:
    if not isinstance(value, str) or not value.strip():
        raise ConfigurationError(f"whereby setting {attribute.name} is required")


def _page_size(_instance: object, attribute: attrs.Attribute[int], value: int) -> None:
    if not 1 <= value <= _MAX_PAGE:
        raise ConfigurationError(f"whereby {attribute.name} must be between 1 and {_MAX_PAGE}, got {value}")


@frozen
class WherebySettings:
    """What the Whereby adapter needs.

    Whereby cannot assume an IAM role: it uploads recordings with access keys we give it. Use keys of
    a user that may only ``s3:PutObject`` under ``recordings_prefix`` of ``recordings_bucket``.
    """

    api_key: str = field(validator=_required, repr=False)
    recordings_bucket: str = field(validator=_required)
    upload_access_key_id: str = field(validator=_required, repr=False)
    upload_secret_access_key: str = field(validator=_required, repr=False)
    recordings_prefix: str = ""
    base_url: str = field(default=DEFAULT_BASE_URL, validator=_required)
    timeout: float = 10.0
    room_mode: Literal["normal", "group"] = "normal"
    """``normal`` holds up to 4 participants, ``group`` more."""
    start_trigger: Literal["none", "prompt", "automatic", "automatic-2nd-participant"] = "automatic-2nd-participant"
    file_format: Literal["mp4", "mkv"] = "mp4"
    sessions_page_size: int = field(default=_MAX_PAGE, validator=_page_size)

    @property
    def destination_bucket(self) -> str:
        """Whereby takes the folder as part of the bucket: ``bucket/prefix``."""
        prefix = self.recordings_prefix.strip("/")
        return f"{self.recordings_bucket}/{prefix}" if prefix else self.recordings_bucket


def read_whereby_error(response: httpx.Response) -> ErrorBody:
    """Whereby errors carry free text in ``error``; a 429 adds ``data.msLeft`` (milliseconds to wait)."""
    body = json_or_none(response)
    if not isinstance(body, dict):
        return ErrorBody(code=None, info=error_text(response))
    info = body.get("error")
    data = body.get("data")
    ms_left = data.get("msLeft") if isinstance(data, dict) else None
    wait = (
        ms_left / 1000 if isinstance(ms_left, int | float) and not isinstance(ms_left, bool) and ms_left >= 0 else None
    )
    return ErrorBody(code=None, info=info if isinstance(info, str) else error_text(response), retry_after=wait)


def room_name_prefix(room_name: str) -> str:
    """Whereby prefixes must match ``[a-z0-9]{0,39}``: our names lose case, dashes and underscores."""
    return _NOT_PREFIX.sub("", room_name.lower())[:_PREFIX_LENGTH]


def iso_millis(at: datetime) -> str:
    if at.utcoffset() is None:
        raise InvalidInputError(f"naive datetime {at!r}: Whereby times must be timezone-aware")
    utc = at.astimezone(UTC)
    return utc.strftime("%Y-%m-%dT%H:%M:%S.") + f"{utc.microsecond // 1000:03d}Z"


class WherebyClient(ApiClient[WherebySettings]):
    """Talks to ``{base_url}`` with the organisation's API key. Pass ``client`` (e.g. with an
    ``httpx.MockTransport``) and ``sleep`` in tests."""

    platform = Platform.WHEREBY
    read_error = staticmethod(read_whereby_error)

    def meeting_request(self, room: Room, *, end: datetime) -> dict[str, Any]:
        """The ``POST /meetings`` body for one meeting of ``room``."""
        s = self.settings
        body: dict[str, Any] = {
            "endDate": iso_millis(end),
            "isLocked": room.locked,
            "roomNamePrefix": room_name_prefix(room.name),
            "roomNamePattern": "uuid",
            "roomMode": s.room_mode,
            "fields": ["hostRoomUrl"],
        }
        # Whereby records one composed file; any recording kind but "none" means a cloud recording to our bucket.
        if room.recording_kind is not RecordingKind.NONE:
            body["recording"] = {
                "type": "cloud",
                "destination": {
                    "provider": "s3",
                    "bucket": s.destination_bucket,
                    "accessKeyId": s.upload_access_key_id,
                    "accessKeySecret": s.upload_secret_access_key,
                    "fileFormat": s.file_format,
                },
                "startTrigger": s.start_trigger,
            }
        return body

    async def create_meeting(self, room: Room, *, start: datetime, end: datetime) -> Meeting:
        if start.utcoffset() is None or end.utcoffset() is None:
            raise InvalidInputError(f"naive meeting times for room {room.name!r}: Whereby times must be timezone-aware")
        if end <= start:
            raise InvalidInputError(f"meeting of room {room.name!r} ends ({end}) before it starts ({start})")
        body = self.meeting_request(room, end=end)
        # Not idempotent: every POST creates a new room, so only refusals (429, connect errors) are retried.
        data = await self._api.call_json(
            "create meeting", "POST", "/meetings", json_body=body, idempotent=False, ok=(200, 201)
        )
        source = "whereby create meeting response"
        created = structure(converter, data, MeetingCreatedWire, source)
        return to_meeting(created, room_name=room.name, start=start, end=end, source=source)

    async def delete_meeting(self, meeting: Meeting) -> None:
        """Idempotent: Whereby answers 204; a meeting already gone (404) counts as deleted."""
        await self._api.call(
            "delete meeting",
            "DELETE",
            f"/meetings/{segment(meeting.platform_meeting_id)}",
            idempotent=True,
            ok=(200, 204),
            missing_ok=True,
        )

    async def room_sessions(self, meeting: Meeting) -> list[ParticipantSession]:
        """The room's sessions (``/insights/room-sessions``), following the cursor to the end.

        A Whereby room session is the room being in use, not one participant's stay: each becomes a
        ``ParticipantSession`` with the room session id and no user.
        """
        meeting_id = meeting.id or meeting.platform_meeting_id
        sessions: list[ParticipantSession] = []
        cursors: set[str] = set()
        cursor: str | None = None
        while True:
            params: dict[str, str | int] = {
                "roomName": meeting.platform_room_name,
                "limit": self.settings.sessions_page_size,
            }
            if cursor is not None:
                params["cursor"] = cursor
            source = f"whereby room sessions response (cursor={cursor})"
            data = await self._api.call_json(
                "room sessions", "GET", "/insights/room-sessions", params=params, idempotent=True
            )
            wires, cursor = room_sessions_page(data, source)
            sessions.extend(to_session(w, meeting_id, f"{source} results[{i}]") for i, w in enumerate(wires))
            if cursor is None or not wires:
                return sessions
            if cursor in cursors:
                raise PayloadError(source, f"cursor {cursor!r} repeats; pagination is not advancing")
            cursors.add(cursor)

    async def join_token(
        self, meeting: Meeting, *, user_id: str | None, name: str | None, owner: bool, expires_at: datetime
    ) -> str | None:
        """Whereby has no join tokens: hosts use ``host_room_url``, everyone else ``room_url``."""
        return None

    async def upload_logo(
        self, platform_room_name: str, image: bytes, *, filename: str = "logo.png", content_type: str = "image/png"
    ) -> None:
        """Brand one room (``PUT /rooms/{roomName}/theme/logo``, multipart field ``image``)."""
        if not image:
            raise InvalidInputError(f"empty logo image for Whereby room {platform_room_name!r}")
        name = platform_room_name.lstrip("/")
        await self._api.call(
            "upload logo",
            "PUT",
            f"/rooms/{segment(name)}/theme/logo",
            files={"image": (filename, image, content_type)},
            idempotent=True,
            ok=(200, 204),
        )
