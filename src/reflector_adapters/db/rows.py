"""Rows ↔ frozen domain objects: the only place that knows both shapes."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

import cattrs
from sqlalchemy.engine import RowMapping

from reflector_core.model import (
    ConsentChoice,
    ConsentDecision,
    ConsentPolicy,
    DeliveryAttempt,
    DeliveryState,
    Meeting,
    Participant,
    ParticipantSession,
    Platform,
    Recording,
    RecordingKind,
    Room,
    Track,
    TrackFailure,
    TrackKind,
    Transcript,
    TranscriptStatus,
    WebhookDelivery,
    Word,
)

Row = RowMapping

# JSON columns hold plain dicts; cattrs runs the domain validators (e.g. word timing) on the way back.
_json = cattrs.Converter()


def room_values(room: Room, room_id: str) -> dict[str, Any]:
    return {
        "id": room_id,
        "name": room.name,
        "platform": room.platform.value,
        "recording_kind": room.recording_kind.value,
        "locked": room.locked,
        "consent_policy": room.consent_policy.value,
        "webhook_url": room.webhook_url,
        "webhook_secret": room.webhook_secret,
        "owner": room.owner,
        "language": room.language,
    }


def room_from(row: Row) -> Room:
    return Room(
        id=row["id"],
        name=row["name"],
        platform=Platform(row["platform"]),
        recording_kind=RecordingKind(row["recording_kind"]),
        locked=row["locked"],
        consent_policy=ConsentPolicy(row["consent_policy"]),
        webhook_url=row["webhook_url"],
        webhook_secret=row["webhook_secret"],
        owner=row["owner"],
        language=row["language"],
    )


def meeting_values(meeting: Meeting, meeting_id: str, room_id: str | None) -> dict[str, Any]:
    return {
        "id": meeting_id,
        "platform": meeting.platform.value,
        "platform_meeting_id": meeting.platform_meeting_id,
        "platform_room_name": meeting.platform_room_name,
        "room_url": meeting.room_url,
        "host_room_url": meeting.host_room_url,
        "start_at": meeting.start,
        "end_at": meeting.end,
        "room_id": room_id,
        "active": meeting.active,
    }


def meeting_from(row: Row) -> Meeting:
    """``row`` carries the meeting's columns plus ``room_name`` from the joined room."""
    return Meeting(
        id=row["id"],
        platform=Platform(row["platform"]),
        platform_meeting_id=row["platform_meeting_id"],
        platform_room_name=row["platform_room_name"],
        room_url=row["room_url"],
        host_room_url=row["host_room_url"],
        start=row["start_at"],
        end=row["end_at"],
        room_name=row["room_name"],
        active=row["active"],
    )


def recording_values(recording: Recording, recording_id: str) -> dict[str, Any]:
    return {
        "id": recording_id,
        "platform": recording.platform.value,
        "platform_recording_id": recording.platform_recording_id,
        "bucket": recording.bucket,
        "kind": recording.kind.value,
        "started_at": recording.started_at,
        "duration": recording.duration,
        "platform_room_name": recording.platform_room_name,
        "platform_session_id": recording.platform_session_id,
        "object_key": recording.object_key,
        "platform_status": recording.status,
        "meeting_id": recording.meeting_id,
        "linked_by_time": recording.linked_by_time and recording.meeting_id is not None,
        "owner": recording.owner,
    }


def track_values(recording_id: str, tracks: Sequence[Track]) -> list[dict[str, Any]]:
    return [
        {
            "recording_id": recording_id,
            "key": t.key,
            "kind": t.kind.value,
            "participant_id": t.participant_id,
            "offset_seconds": t.offset,
            "size": t.size,
            "position": position,
        }
        for position, t in enumerate(tracks)
    ]


def track_from(row: Row) -> Track:
    return Track(
        key=row["key"],
        kind=TrackKind(row["kind"]),
        participant_id=row["participant_id"],
        offset=row["offset_seconds"],
        size=row["size"],
    )


def recording_from(row: Row, tracks: Sequence[Track]) -> Recording:
    return Recording(
        id=row["id"],
        platform=Platform(row["platform"]),
        platform_recording_id=row["platform_recording_id"],
        bucket=row["bucket"],
        kind=RecordingKind(row["kind"]),
        tracks=tuple(tracks),
        started_at=row["started_at"],
        duration=row["duration"],
        platform_room_name=row["platform_room_name"],
        meeting_id=row["meeting_id"],
        platform_session_id=row["platform_session_id"],
        object_key=row["object_key"],
        status=row["platform_status"],
        linked_by_time=row["linked_by_time"],
        owner=row["owner"],
    )


def result_values(transcript: Transcript) -> dict[str, Any]:
    """What ``save_result`` writes: what the pipeline produces, never the status, error or audio_deleted
    flag, which transitions and consent cleanup own (a late save must not undo a deletion)."""
    return {
        "words": _json.unstructure(list(transcript.words)),
        "participants": _json.unstructure(list(transcript.participants)),
        "duration": transcript.duration,
        "audio_location": transcript.audio_location,
        "failed_tracks": _json.unstructure(list(transcript.failed_tracks)),
        "language": transcript.language,
    }


def transcript_from(row: Row) -> Transcript:
    return Transcript(
        id=row["id"],
        recording_id=row["recording_id"],
        status=TranscriptStatus(row["status"]),
        words=tuple(_json.structure(row["words"], list[Word])) if "words" in row else (),
        participants=tuple(_json.structure(row["participants"], list[Participant])),
        duration=row["duration"],
        audio_location=row["audio_location"],
        audio_deleted=row["audio_deleted"],
        error=row["error"],
        failed_tracks=tuple(_json.structure(row["failed_tracks"], list[TrackFailure])),
        language=row["language"],
        created_at=row["created_at"],
        updated_at=row["updated_at"],
        title=row["title"],
    )


def session_values(session: ParticipantSession) -> dict[str, Any]:
    return {
        "meeting_id": session.meeting_id,
        "session_id": session.session_id,
        "user_id": session.user_id,
        "name": session.name,
        "joined_at": session.joined_at,
        "left_at": session.left_at,
    }


def session_from(row: Row) -> ParticipantSession:
    return ParticipantSession(
        meeting_id=row["meeting_id"],
        session_id=row["session_id"],
        user_id=row["user_id"],
        name=row["name"],
        joined_at=row["joined_at"],
        left_at=row["left_at"],
    )


def consent_from(row: Row) -> ConsentDecision:
    return ConsentDecision(
        meeting_id=row["meeting_id"],
        participant=row["participant"],
        choice=ConsentChoice(row["choice"]),
        at=row["at"],
    )


def cursor_from(row: Row | None) -> tuple[str | None, datetime | None]:
    return (None, None) if row is None else (row["last_id"], row["last_time"])


def delivery_values(delivery: WebhookDelivery) -> dict[str, Any]:
    return {
        "event_id": delivery.event_id,
        "event": delivery.event,
        "transcript_id": delivery.transcript_id,
        "room_name": delivery.room_name,
        "url": delivery.url,
        "body": delivery.body,
        "created_at": delivery.created_at,
        "state": delivery.state.value,
        "next_attempt_at": delivery.next_attempt_at,
    }


def attempt_values(event_id: str, attempt: DeliveryAttempt) -> dict[str, Any]:
    return {
        "event_id": event_id,
        "number": attempt.number,
        "at": attempt.at,
        "status_code": attempt.status_code,
        "error": attempt.error,
    }


def attempt_from(row: Row) -> DeliveryAttempt:
    return DeliveryAttempt(number=row["number"], at=row["at"], status_code=row["status_code"], error=row["error"])


def delivery_from(row: Row, attempts: Sequence[DeliveryAttempt]) -> WebhookDelivery:
    return WebhookDelivery(
        event_id=row["event_id"],
        event=row["event"],
        transcript_id=row["transcript_id"],
        room_name=row["room_name"],
        url=row["url"],
        body=row["body"],
        created_at=row["created_at"],
        state=DeliveryState(row["state"]),
        next_attempt_at=row["next_attempt_at"],
        attempts=tuple(attempts),
    )
