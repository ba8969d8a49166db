"""Daily.co REST adapter: ``VideoPlatform``, ``RecordingSource`` and ``ParticipantDirectory``."""

from __future__ import annotations

import logging
import re
from collections.abc import AsyncIterator
from datetime import datetime, timedelta
from typing import Any

import attrs
import httpx
from attrs import field, frozen

from reflector_adapters.daily.wire import (
    MeetingParticipantsWire,
    PresencePageWire,
    RoomWire,
    TokenWire,
    converter,
    recording_wire,
    recordings_page,
    to_participant,
    to_recording,
    to_session,
)
from reflector_adapters.payload import structure
from reflector_adapters.platform_api import ApiClient, ErrorBody, error_text, json_or_none, segment
from reflector_core.errors import (
    ConfigurationError,
    InvalidInputError,
    PayloadError,
    PlatformError,
    PlatformUnavailableError,
)
from reflector_core.model import Meeting, ParticipantSession, Platform, Recording, RecordingKind, Room
from reflector_core.naming import daily_room_name
from reflector_core.ports import PlatformParticipant

log = logging.getLogger(__name__)

DEFAULT_BASE_URL = "https://api.daily.co/v1"
_MAX_PAGE = 100
_MAX_USER_ID = 36


def _page_size(_instance: object, attribute: attrs.Attribute[int], value: int) -> None:
    if not 1 <= value <= _MAX_PAGE:
        raise ConfigurationError(f"daily {attribute.name} must be between 1 and {_MAX_PAGE}, got {value}")


def _required(_instance: object, attribute: attrs.Attribute[str], value: str) -> None:
    if not isinstance(value, str) or not value.strip():
        raise ConfigurationError(f"daily setting {attribute.name} is required")


@frozen
class DailySettings:
    """What the Daily adapter needs. Recordings go to our bucket, written by Daily under a role we grant."""

    api_key: str = field(validator=_required, repr=False)
    recordings_bucket: str = field(validator=_required)
    bucket_region: str = field(validator=_required)
    assume_role_arn: str = field(validator=_required)
    base_url: str = field(default=DEFAULT_BASE_URL, validator=_required)
    timeout: float = 10.0
    join_lead: timedelta | None = timedelta(minutes=15)
    """How long before the meeting start the room and tokens admit people (``nbf``); ``None`` = at once."""
    max_participants: int | None = None
    allow_api_access: bool = True
    """Lets Daily hand out access links to recordings in our bucket."""
    recordings_page_size: int = field(default=_MAX_PAGE, validator=_page_size)
    participants_page_size: int = field(default=_MAX_PAGE, validator=_page_size)
    default_recording_kind: RecordingKind = RecordingKind.RAW_TRACKS
    """The kind of a listed recording whose type Daily left out and nothing else reveals."""
    start_attempts: int = field(default=8, validator=attrs.validators.ge(1))
    """Recording start: tries while Daily answers that the call is not hosted yet (someone just joined)."""
    start_retry_delay: float = field(default=2.0, validator=attrs.validators.ge(0))


def read_daily_error(response: httpx.Response) -> ErrorBody:
    """Daily errors are ``{"error": <stable type>, "info": <free text>}``; only ``error`` drives logic."""
    body = json_or_none(response)
    if isinstance(body, dict):
        code, info = body.get("error"), body.get("info")
        return ErrorBody(
            code=code if isinstance(code, str) else None,
            info=info if isinstance(info, str) else error_text(response),
        )
    return ErrorBody(code=None, info=error_text(response))


def _unix(at: datetime) -> int:
    if at.utcoffset() is None:
        raise InvalidInputError(f"naive datetime {at!r}: Daily times must be timezone-aware")
    return int(at.timestamp())


class DailyClient(ApiClient[DailySettings]):
    """Talks to ``{base_url}`` with the domain's API key. Pass ``client`` (e.g. with an
    ``httpx.MockTransport``) and ``sleep`` in tests; the defaults make real calls and really wait."""

    platform = Platform.DAILY
    read_error = staticmethod(read_daily_error)

    # --- VideoPlatform ---------------------------------------------------------------------------

    def room_request(self, room: Room, *, start: datetime, end: datetime) -> dict[str, Any]:
        """The ``POST /rooms`` body for one meeting of ``room`` (public for inspection and tests)."""
        s = self.settings
        properties: dict[str, Any] = {}
        if s.join_lead is not None:
            properties["nbf"] = _unix(start - s.join_lead)
        properties["exp"] = _unix(end)
        properties["eject_at_room_exp"] = True
        if s.max_participants is not None:
            properties["max_participants"] = s.max_participants
        if room.locked:
            # Without knocking a private room refuses everyone who has no token.
            properties["enable_knocking"] = True
        if room.recording_kind is not RecordingKind.NONE:
            properties["enable_recording"] = room.recording_kind.value
            properties["recordings_bucket"] = {
                "bucket_name": s.recordings_bucket,
                "bucket_region": s.bucket_region,
                "assume_role_arn": s.assume_role_arn,
                "allow_api_access": s.allow_api_access,
                "allow_streaming_from_bucket": False,
            }
        return {
            "name": daily_room_name(room.name, start),
            "privacy": "private" if room.locked else "public",
            "properties": properties,
        }

    async def create_meeting(self, room: Room, *, start: datetime, end: datetime) -> Meeting:
        if start.utcoffset() is None or end.utcoffset() is None:
            raise InvalidInputError(f"naive meeting times for room {room.name!r}: Daily times must be timezone-aware")
        if end <= start:
            raise InvalidInputError(f"meeting of room {room.name!r} ends ({end}) before it starts ({start})")
        body = self.room_request(room, start=start, end=end)
        # POST /rooms with a fixed name is safe to repeat: a second create fails, it never duplicates.
        data = await self._api.call_json("create room", "POST", "/rooms", json_body=body, idempotent=False)
        created = structure(converter, data, RoomWire, "daily create room response")
        return Meeting(
            platform=Platform.DAILY,
            platform_meeting_id=created.id,
            platform_room_name=created.name,
            room_url=created.url,
            host_room_url=created.url,
            start=start,
            end=end,
            room_name=room.name,
        )

    async def delete_meeting(self, meeting: Meeting) -> None:
        await self.delete_room(meeting.platform_room_name)

    async def delete_room(self, platform_room_name: str) -> None:
        """Idempotent: a room that is gone (404, also for expired rooms) counts as deleted."""
        await self._api.call(
            "delete room", "DELETE", f"/rooms/{segment(platform_room_name)}", idempotent=True, missing_ok=True
        )

    async def room_sessions(self, meeting: Meeting) -> list[ParticipantSession]:
        """Who is in the room now (presence, up to ~15 s stale); sessions carry our meeting id when known."""
        source = "daily room presence response"
        data = await self._api.call_json(
            "room presence", "GET", f"/rooms/{segment(meeting.platform_room_name)}/presence", idempotent=True
        )
        page = structure(converter, data, PresencePageWire, source)
        meeting_id = meeting.id or meeting.platform_meeting_id
        return [to_session(item, meeting_id, f"{source} data[{i}]") for i, item in enumerate(page.data)]

    def token_request(
        self, meeting: Meeting, *, user_id: str | None, name: str | None, owner: bool, expires_at: datetime
    ) -> dict[str, Any]:
        if user_id is not None and len(user_id) > _MAX_USER_ID:
            raise InvalidInputError(f"Daily user_id is limited to {_MAX_USER_ID} characters: {user_id!r}")
        # room_name is always set: a token without it admits its holder to every room of the domain.
        properties: dict[str, Any] = {"room_name": meeting.platform_room_name}
        if user_id is not None:
            properties["user_id"] = user_id
        if name is not None:
            properties["user_name"] = name
        properties["is_owner"] = owner
        if self.settings.join_lead is not None:
            properties["nbf"] = _unix(meeting.start - self.settings.join_lead)
        properties["exp"] = _unix(expires_at)
        properties["eject_at_token_exp"] = True
        return {"properties": properties}

    async def join_token(
        self, meeting: Meeting, *, user_id: str | None, name: str | None, owner: bool, expires_at: datetime
    ) -> str:
        body = self.token_request(meeting, user_id=user_id, name=name, owner=owner, expires_at=expires_at)
        # A token is signed, not stored: asking twice only yields two valid tokens.
        data = await self._api.call_json(
            "create meeting token", "POST", "/meeting-tokens", json_body=body, idempotent=True
        )
        return structure(converter, data, TokenWire, "daily meeting token response").token

    # --- RecordingControl -------------------------------------------------------------------------

    async def start_recording(self, meeting: Meeting, kind: RecordingKind, instance_id: str) -> bool:
        """``POST /rooms/:name/recordings/start`` with ``{type, instanceId}``; ``False`` = already running.

        Daily answers 404 "does not seem to be hosting a call" for a few seconds after the first person
        joins: that is waited out (``start_attempts`` × ``start_retry_delay``), then reported as
        ``PlatformUnavailableError`` so the job retries later. Repeating a start is safe: the instance id
        is fixed per meeting and kind, so a repeat is at worst "already active".
        """
        if kind is RecordingKind.NONE:
            raise InvalidInputError(f"meeting {meeting.platform_room_name}: a room that records nothing has no start")
        path = f"/rooms/{segment(meeting.platform_room_name)}/recordings/start"
        body = {"type": kind.value, "instanceId": instance_id}
        for attempt in range(1, self.settings.start_attempts + 1):
            try:
                await self._api.call("start recording", "POST", path, json_body=body, idempotent=True)
                return True
            except PlatformUnavailableError:
                raise
            except PlatformError as exc:
                if _already_active(exc):
                    return False
                if not _not_hosted(exc):
                    raise
                if attempt == self.settings.start_attempts:
                    raise PlatformUnavailableError(
                        "daily", "start recording", exc.status, exc.code, f"call still not hosted: {exc.info}"
                    ) from exc
                log.info("daily %s: call not hosted yet (try %d); waiting", meeting.platform_room_name, attempt)
                await self._api.sleep(self.settings.start_retry_delay)
        raise AssertionError("unreachable")  # pragma: no cover

    async def stop_recording(self, meeting: Meeting, kind: RecordingKind, instance_id: str) -> bool:
        """``POST /rooms/:name/recordings/stop``; ``False`` when Daily says none was running (its 400)."""
        path = f"/rooms/{segment(meeting.platform_room_name)}/recordings/stop"
        body = {"type": kind.value, "instanceId": instance_id}
        try:
            await self._api.call("stop recording", "POST", path, json_body=body, idempotent=True)
        except PlatformUnavailableError:
            raise
        except PlatformError as exc:
            # Daily documents 400 for "no recording is active"; an ended call (404) has none either.
            if exc.status in (400, 404):
                log.info("daily %s: no %s recording to stop (%s)", meeting.platform_room_name, kind.value, exc.info)
                return False
            raise
        return True

    # --- RecordingSource ---------------------------------------------------------------------------

    async def recordings_newest_first(self, *, stop_at: str | None = None) -> AsyncIterator[Recording]:
        """Walk ``GET /recordings`` page by page until an empty page or the known id ``stop_at``."""
        cursor: str | None = None
        while True:
            params: dict[str, str | int] = {"limit": self.settings.recordings_page_size}
            if cursor is not None:
                params["starting_after"] = cursor
            source = f"daily list recordings response (starting_after={cursor})"
            data = await self._api.call_json("list recordings", "GET", "/recordings", params=params, idempotent=True)
            wires = recordings_page(data, source)
            if not wires:
                return
            for wire in wires:
                if stop_at is not None and wire.id == stop_at:
                    return
                yield self._recording(wire, f"daily recording {wire.id}")
            if wires[-1].id == cursor:
                raise PayloadError(source, f"page ends at the cursor {cursor!r} again; pagination is not advancing")
            cursor = wires[-1].id

    async def get_recording(self, platform_recording_id: str) -> Recording:
        source = f"daily recording {platform_recording_id}"
        data = await self._api.call_json(
            "get recording", "GET", f"/recordings/{segment(platform_recording_id)}", idempotent=True
        )
        return self._recording(recording_wire(data, source), source)

    def _recording(self, wire: Any, source: str) -> Recording:
        return to_recording(
            wire,
            bucket=self.settings.recordings_bucket,
            source=source,
            default_kind=self.settings.default_recording_kind,
        )

    # --- ParticipantDirectory ----------------------------------------------------------------------

    async def participants(self, platform_session_id: str | None) -> list[PlatformParticipant]:
        """Everyone in a meeting session, following ``joined_after`` until an empty page or a 404.

        Without a session id (``/recordings`` often omits ``mtgSessionId``) there is nothing to ask:
        the answer is no names, and speakers stay unnamed rather than the transcript failing.
        """
        if not platform_session_id:
            return []
        path = f"/meetings/{segment(platform_session_id)}/participants"
        found: list[PlatformParticipant] = []
        seen: set[str] = set()
        after: str | None = None
        while True:
            params: dict[str, str | int] = {"limit": self.settings.participants_page_size}
            if after is not None:
                params["joined_after"] = after
            # Daily answers 404 once no participant joined after the cursor: that is the end, not an error.
            data = await self._api.call_json(
                "meeting participants", "GET", path, params=params, idempotent=True, missing_ok=True
            )
            if data is None:
                return found
            source = f"daily meeting {platform_session_id} participants (joined_after={after})"
            page = structure(converter, data, MeetingParticipantsWire, source)
            fresh = [p for p in page.data if p.participant_id not in seen]
            if not fresh:
                return found
            for i, item in enumerate(fresh):
                seen.add(item.participant_id)
                found.append(to_participant(item, f"{source} data[{i}]"))
            after = fresh[-1].participant_id


# Daily's wording (UNCONFIRMED beyond observed answers; the error code is a generic one, so the text decides).
_NOT_HOSTED = re.compile(r"not\s+seem\s+to\s+be\s+hosting|not\s+hosting", re.IGNORECASE)
_ALREADY = re.compile(r"active\s+stream|already\s+(started|active|recording|running)", re.IGNORECASE)


def _not_hosted(exc: PlatformError) -> bool:
    return exc.status == 404 and bool(_NOT_HOSTED.search(exc.info or ""))


def _already_active(exc: PlatformError) -> bool:
    return exc.status is not None and 400 <= exc.status < 500 and bool(_ALREADY.search(exc.info or ""))
