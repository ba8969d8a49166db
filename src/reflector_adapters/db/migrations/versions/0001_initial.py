"""The initial schema: rooms, meetings, recordings, tracks, transcripts and the ingestion bookkeeping.

Revision ID: 0001
Revises:
Create Date: 2026-03-12
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

# Frozen copies of the column types: a migration must not change when tables.py does.
ID = sa.String(64)
NAME = sa.String(255)
TS = sa.DateTime(timezone=True)


def _json() -> sa.types.TypeEngine[Any]:
    return sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def upgrade() -> None:
    op.create_table(
        "room",
        sa.Column("id", ID, nullable=False),
        sa.Column("name", NAME, nullable=False),
        sa.Column("platform", sa.String(16), nullable=False),
        sa.Column("recording_kind", sa.String(16), nullable=False),
        sa.Column("locked", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("consent_policy", sa.String(32), nullable=False),
        sa.Column("webhook_url", sa.Text),
        sa.Column("webhook_secret", sa.Text),
        sa.Column("owner", NAME),
        sa.Column("created_at", TS, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_room"),
        sa.UniqueConstraint("name", name="uq_room_name"),
    )
    op.create_index("ix_room_owner", "room", ["owner"])

    op.create_table(
        "meeting",
        sa.Column("id", ID, nullable=False),
        sa.Column("platform", sa.String(16), nullable=False),
        sa.Column("platform_meeting_id", NAME, nullable=False),
        sa.Column("platform_room_name", NAME, nullable=False),
        sa.Column("room_url", sa.Text, nullable=False),
        sa.Column("host_room_url", sa.Text, nullable=False),
        sa.Column("start_at", TS, nullable=False),
        sa.Column("end_at", TS, nullable=False),
        sa.Column("room_id", ID),
        sa.Column("active", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("created_at", TS, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_meeting"),
        sa.UniqueConstraint("platform", "platform_meeting_id", name="uq_meeting_platform_platform_meeting_id"),
        sa.ForeignKeyConstraint(["room_id"], ["room.id"], name="fk_meeting_room_id_room", ondelete="SET NULL"),
    )
    op.create_index("ix_meeting_platform_platform_room_name", "meeting", ["platform", "platform_room_name"])
    op.create_index("ix_meeting_room_id_start_at", "meeting", ["room_id", "start_at"])
    op.create_index("ix_meeting_active_end_at", "meeting", ["active", "end_at"])

    op.create_table(
        "recording",
        sa.Column("id", ID, nullable=False),
        sa.Column("platform", sa.String(16), nullable=False),
        sa.Column("platform_recording_id", NAME, nullable=False),
        sa.Column("bucket", NAME, nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("started_at", TS),
        sa.Column("duration", sa.Float),
        sa.Column("platform_room_name", NAME),
        sa.Column("platform_session_id", NAME),
        sa.Column("object_key", sa.Text),
        sa.Column("platform_status", sa.String(32)),
        sa.Column("meeting_id", ID),
        sa.Column("linked_by_time", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("sources_deleted", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("created_at", TS, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_recording"),
        sa.UniqueConstraint("platform", "platform_recording_id", name="uq_recording_platform_platform_recording_id"),
        sa.ForeignKeyConstraint(
            ["meeting_id"], ["meeting.id"], name="fk_recording_meeting_id_meeting", ondelete="SET NULL"
        ),
    )
    op.create_index("ix_recording_meeting_id", "recording", ["meeting_id"])

    op.create_table(
        "track",
        sa.Column("recording_id", ID, nullable=False),
        sa.Column("key", sa.Text, nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("participant_id", NAME),
        sa.Column("offset_seconds", sa.Float),
        sa.Column("size", sa.BigInteger),
        sa.Column("position", sa.Integer, nullable=False),
        sa.PrimaryKeyConstraint("recording_id", "key", name="pk_track"),
        sa.ForeignKeyConstraint(
            ["recording_id"], ["recording.id"], name="fk_track_recording_id_recording", ondelete="CASCADE"
        ),
    )

    op.create_table(
        "transcript",
        sa.Column("id", ID, nullable=False),
        sa.Column("recording_id", ID, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("words", _json(), nullable=False),
        sa.Column("participants", _json(), nullable=False),
        sa.Column("duration", sa.Float),
        sa.Column("audio_location", sa.Text),
        sa.Column("audio_deleted", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("error", sa.Text),
        sa.Column("failed_tracks", _json(), nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("updated_at", TS, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_transcript"),
        sa.UniqueConstraint("recording_id", name="uq_transcript_recording_id"),
        sa.ForeignKeyConstraint(
            ["recording_id"], ["recording.id"], name="fk_transcript_recording_id_recording", ondelete="RESTRICT"
        ),
        sa.CheckConstraint(
            "status IN ('discovered', 'queued', 'processing', 'done', 'failed')", name="ck_transcript_status"
        ),
    )
    op.create_index("ix_transcript_status_updated_at", "transcript", ["status", "updated_at"])
    op.create_index("ix_transcript_created_at", "transcript", ["created_at"])

    op.create_table(
        "participant_session",
        sa.Column("meeting_id", ID, nullable=False),
        sa.Column("session_id", NAME, nullable=False),
        sa.Column("user_id", NAME),
        sa.Column("name", NAME),
        sa.Column("joined_at", TS, nullable=False),
        sa.Column("left_at", TS),
        sa.PrimaryKeyConstraint("meeting_id", "session_id", name="pk_participant_session"),
        sa.ForeignKeyConstraint(
            ["meeting_id"], ["meeting.id"], name="fk_participant_session_meeting_id_meeting", ondelete="CASCADE"
        ),
    )

    op.create_table(
        "meeting_consent",
        sa.Column("meeting_id", ID, nullable=False),
        sa.Column("participant", NAME, nullable=False),
        sa.Column("choice", sa.String(16), nullable=False),
        sa.Column("at", TS, nullable=False),
        sa.PrimaryKeyConstraint("meeting_id", "participant", name="pk_meeting_consent"),
        sa.ForeignKeyConstraint(
            ["meeting_id"], ["meeting.id"], name="fk_meeting_consent_meeting_id_meeting", ondelete="CASCADE"
        ),
        sa.CheckConstraint("choice IN ('given', 'refused')", name="ck_meeting_consent_choice"),
    )

    op.create_table(
        "webhook_event",
        sa.Column("platform", sa.String(16), nullable=False),
        sa.Column("event_id", NAME, nullable=False),
        sa.Column("received_at", TS, nullable=False),
        sa.PrimaryKeyConstraint("platform", "event_id", name="pk_webhook_event"),
    )
    op.create_index("ix_webhook_event_received_at", "webhook_event", ["received_at"])

    op.create_table(
        "poll_cursor",
        sa.Column("source", NAME, nullable=False),
        sa.Column("last_id", NAME),
        sa.Column("last_time", TS),
        sa.Column("updated_at", TS, nullable=False),
        sa.PrimaryKeyConstraint("source", name="pk_poll_cursor"),
    )

    op.create_table(
        "deleted_object",
        sa.Column("id", sa.Integer, nullable=False, autoincrement=True),
        sa.Column("bucket", NAME, nullable=False),
        sa.Column("key", sa.Text, nullable=False),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("at", TS, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_deleted_object"),
    )
    op.create_index("ix_deleted_object_bucket_key", "deleted_object", ["bucket", "key"])

    op.create_table(
        "webhook_delivery",
        sa.Column("event_id", NAME, nullable=False),
        sa.Column("event", sa.String(64), nullable=False),
        sa.Column("transcript_id", ID, nullable=False),
        sa.Column("room_name", NAME, nullable=False),
        sa.Column("url", sa.Text, nullable=False),
        sa.Column("body", sa.Text, nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("next_attempt_at", TS),
        sa.PrimaryKeyConstraint("event_id", name="pk_webhook_delivery"),
        sa.ForeignKeyConstraint(
            ["transcript_id"],
            ["transcript.id"],
            name="fk_webhook_delivery_transcript_id_transcript",
            ondelete="CASCADE",
        ),
        sa.CheckConstraint("state IN ('pending', 'delivered', 'failed')", name="ck_webhook_delivery_state"),
    )
    op.create_index("ix_webhook_delivery_transcript_id", "webhook_delivery", ["transcript_id"])
    op.create_index("ix_webhook_delivery_state_next_attempt_at", "webhook_delivery", ["state", "next_attempt_at"])

    op.create_table(
        "webhook_delivery_attempt",
        sa.Column("event_id", NAME, nullable=False),
        sa.Column("number", sa.Integer, nullable=False),
        sa.Column("at", TS, nullable=False),
        sa.Column("status_code", sa.Integer),
        sa.Column("error", sa.Text),
        sa.PrimaryKeyConstraint("event_id", "number", name="pk_webhook_delivery_attempt"),
        sa.ForeignKeyConstraint(
            ["event_id"],
            ["webhook_delivery.event_id"],
            name="fk_webhook_delivery_attempt_event_id_webhook_delivery",
            ondelete="CASCADE",
        ),
    )

    op.create_table(
        "api_key",
        sa.Column("id", ID, nullable=False),
        sa.Column("key_hash", sa.String(128), nullable=False),
        sa.Column("owner", NAME, nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("revoked", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.PrimaryKeyConstraint("id", name="pk_api_key"),
        sa.UniqueConstraint("key_hash", name="uq_api_key_key_hash"),
    )
    op.create_index("ix_api_key_owner", "api_key", ["owner"])


def downgrade() -> None:
    # Reverse dependency order; dropping a table drops its indexes and constraints with it.
    for table in (
        "api_key",
        "webhook_delivery_attempt",
        "webhook_delivery",
        "deleted_object",
        "poll_cursor",
        "webhook_event",
        "meeting_consent",
        "participant_session",
        "transcript",
        "track",
        "recording",
        "meeting",
        "room",
    ):
        op.drop_table(table)
