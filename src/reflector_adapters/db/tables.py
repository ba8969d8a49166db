"""The schema as SQLAlchemy Core tables: what the repositories query.

Migrations (``migrations/versions``) create the same schema explicitly; a contract test compares
the two so they cannot drift apart. Every idempotency promise is a unique constraint here.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Column,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    PrimaryKeyConstraint,
    String,
    Table,
    Text,
    UniqueConstraint,
    false,
)

from reflector_adapters.db.column_types import UtcDateTime, json_type

# Deterministic constraint names, so later migrations can drop or alter them on both backends.
metadata = MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "ck": "ck_%(table_name)s_%(constraint_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

ID = String(64)
NAME = String(255)

room = Table(
    "room",
    metadata,
    Column("id", ID, primary_key=True),
    Column("name", NAME, nullable=False, unique=True),
    Column("platform", String(16), nullable=False),
    Column("recording_kind", String(16), nullable=False),
    Column("locked", Boolean, nullable=False, server_default=false()),
    Column("consent_policy", String(32), nullable=False),
    Column("webhook_url", Text),
    Column("webhook_secret", Text),
    Column("owner", NAME, index=True),
    Column("created_at", UtcDateTime, nullable=False),
    Column("language", String(16), nullable=False, server_default="en"),
)

meeting = Table(
    "meeting",
    metadata,
    Column("id", ID, primary_key=True),
    Column("platform", String(16), nullable=False),
    Column("platform_meeting_id", NAME, nullable=False),
    Column("platform_room_name", NAME, nullable=False),
    Column("room_url", Text, nullable=False),
    Column("host_room_url", Text, nullable=False),
    Column("start_at", UtcDateTime, nullable=False),
    Column("end_at", UtcDateTime, nullable=False),
    # A deleted room keeps its meetings (and their transcripts), only unlinked.
    Column("room_id", ID, ForeignKey("room.id", ondelete="SET NULL")),
    Column("active", Boolean, nullable=False, server_default=false()),
    Column("created_at", UtcDateTime, nullable=False),
    UniqueConstraint("platform", "platform_meeting_id"),
    Index(None, "platform", "platform_room_name"),
    Index(None, "room_id", "start_at"),
    Index(None, "active", "end_at"),
)

recording = Table(
    "recording",
    metadata,
    Column("id", ID, primary_key=True),
    Column("platform", String(16), nullable=False),
    Column("platform_recording_id", NAME, nullable=False),
    Column("bucket", NAME, nullable=False),
    Column("kind", String(16), nullable=False),
    Column("started_at", UtcDateTime),
    Column("duration", Float),
    Column("platform_room_name", NAME),
    Column("platform_session_id", NAME),
    Column("object_key", Text),
    Column("platform_status", String(32)),
    Column("meeting_id", ID, ForeignKey("meeting.id", ondelete="SET NULL"), index=True),
    Column("linked_by_time", Boolean, nullable=False, server_default=false()),
    Column("sources_deleted", Boolean, nullable=False, server_default=false()),
    Column("created_at", UtcDateTime, nullable=False),
    # Uploads only: who uploaded it (a platform recording's owner is its meeting's room's owner).
    Column("owner", NAME, index=True),
    UniqueConstraint("platform", "platform_recording_id"),
)

track = Table(
    "track",
    metadata,
    Column("recording_id", ID, ForeignKey("recording.id", ondelete="CASCADE"), nullable=False),
    Column("key", Text, nullable=False),
    Column("kind", String(16), nullable=False),
    Column("participant_id", NAME),
    Column("offset_seconds", Float),
    Column("size", BigInteger),
    Column("position", Integer, nullable=False),
    PrimaryKeyConstraint("recording_id", "key"),
)

TRANSCRIPT_STATUSES = ("discovered", "queued", "processing", "done", "failed")

transcript = Table(
    "transcript",
    metadata,
    Column("id", ID, primary_key=True),
    # Transcripts are the product: a recording cannot be deleted while its transcript exists.
    Column("recording_id", ID, ForeignKey("recording.id", ondelete="RESTRICT"), nullable=False, unique=True),
    Column("status", String(16), nullable=False),
    Column("words", json_type(), nullable=False),
    Column("participants", json_type(), nullable=False),
    Column("duration", Float),
    Column("audio_location", Text),
    Column("audio_deleted", Boolean, nullable=False, server_default=false()),
    Column("error", Text),
    Column("failed_tracks", json_type(), nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
    Column("title", Text),
    Column("language", String(16)),
    CheckConstraint("status IN ('discovered', 'queued', 'processing', 'done', 'failed')", name="status"),
    Index(None, "status", "updated_at"),
    Index(None, "created_at"),
)

participant_session = Table(
    "participant_session",
    metadata,
    Column("meeting_id", ID, ForeignKey("meeting.id", ondelete="CASCADE"), nullable=False),
    Column("session_id", NAME, nullable=False),
    Column("user_id", NAME),
    Column("name", NAME),
    Column("joined_at", UtcDateTime, nullable=False),
    Column("left_at", UtcDateTime),
    PrimaryKeyConstraint("meeting_id", "session_id"),
)

meeting_consent = Table(
    "meeting_consent",
    metadata,
    Column("meeting_id", ID, ForeignKey("meeting.id", ondelete="CASCADE"), nullable=False),
    Column("participant", NAME, nullable=False),
    Column("choice", String(16), nullable=False),
    Column("at", UtcDateTime, nullable=False),
    PrimaryKeyConstraint("meeting_id", "participant"),
    CheckConstraint("choice IN ('given', 'refused')", name="choice"),
)

webhook_event = Table(
    "webhook_event",
    metadata,
    Column("platform", String(16), nullable=False),
    Column("event_id", NAME, nullable=False),
    Column("received_at", UtcDateTime, nullable=False, index=True),
    Column("pending_body", Text, nullable=True),  # the raw body until its job is done (restart recovery)
    PrimaryKeyConstraint("platform", "event_id"),
)

poll_cursor = Table(
    "poll_cursor",
    metadata,
    Column("source", NAME, primary_key=True),
    Column("last_id", NAME),
    Column("last_time", UtcDateTime),
    Column("updated_at", UtcDateTime, nullable=False),
)

deleted_object = Table(
    "deleted_object",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("bucket", NAME, nullable=False),
    Column("key", Text, nullable=False),
    Column("reason", Text, nullable=False),
    Column("at", UtcDateTime, nullable=False),
    Index(None, "bucket", "key"),
)

webhook_delivery = Table(
    "webhook_delivery",
    metadata,
    Column("event_id", NAME, primary_key=True),
    Column("event", String(64), nullable=False),
    # Delivery history goes with its transcript when retention deletes it.
    Column("transcript_id", ID, ForeignKey("transcript.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("room_name", NAME, nullable=False),
    Column("url", Text, nullable=False),
    Column("body", Text, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("state", String(16), nullable=False),
    Column("next_attempt_at", UtcDateTime),
    CheckConstraint("state IN ('pending', 'delivered', 'failed')", name="state"),
    Index(None, "state", "next_attempt_at"),
)

webhook_delivery_attempt = Table(
    "webhook_delivery_attempt",
    metadata,
    Column("event_id", NAME, ForeignKey("webhook_delivery.event_id", ondelete="CASCADE"), nullable=False),
    Column("number", Integer, nullable=False),
    Column("at", UtcDateTime, nullable=False),
    Column("status_code", Integer),
    Column("error", Text),
    PrimaryKeyConstraint("event_id", "number"),
)

api_key = Table(
    "api_key",
    metadata,
    Column("id", ID, primary_key=True),
    Column("key_hash", String(128), nullable=False, unique=True),
    Column("owner", NAME, nullable=False, index=True),
    Column("created_at", UtcDateTime, nullable=False),
    Column("revoked", Boolean, nullable=False, server_default=false()),
)

RECORDING_STATES = ("requested", "started", "failed", "stopped")

# One row per meeting whose recording the service was asked to start: inserting it is the claim that
# makes "exactly once per meeting" hold however many join webhooks and presence polls race.
meeting_recording = Table(
    "meeting_recording",
    metadata,
    Column("meeting_id", ID, ForeignKey("meeting.id", ondelete="CASCADE"), primary_key=True),
    Column("state", String(16), nullable=False),
    Column("requested_by", NAME),
    Column("requested_at", UtcDateTime, nullable=False),
    Column("started_at", UtcDateTime),
    Column("attempts", Integer, nullable=False, server_default="0"),
    Column("error", Text),
    Column("updated_at", UtcDateTime, nullable=False),
    CheckConstraint("state IN ('requested', 'started', 'failed', 'stopped')", name="state"),
)

app_user = Table(
    # "user" is reserved in PostgreSQL.
    "app_user",
    metadata,
    Column("id", ID, primary_key=True),
    Column("username", NAME, nullable=False, unique=True),
    Column("password_hash", Text, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
)

transcript_notes = Table(
    "transcript_notes",
    metadata,
    # One row per transcript; it goes with the transcript (retention, deletion).
    Column("transcript_id", ID, ForeignKey("transcript.id", ondelete="CASCADE"), primary_key=True),
    Column("status", String(16), nullable=False),
    Column("generated", json_type()),
    Column("edits", json_type(), nullable=False),
    Column("error", Text),
    Column("updated_at", UtcDateTime, nullable=False),
    CheckConstraint("status IN ('pending', 'running', 'done', 'failed')", name="status"),
)

# The full-text index, one row per turn (see db/search.py). The migration adds the backend's text index:
# an FTS5 table kept in step by triggers on SQLite, a GIN index on to_tsvector('simple', text) on PostgreSQL.
transcript_segment = Table(
    "transcript_segment",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("transcript_id", ID, ForeignKey("transcript.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("position", Integer, nullable=False),
    Column("start", Float, nullable=False),
    Column("text", Text, nullable=False),
)

# Sharing (usecases/sharing.py): one link per transcript, by its token's SHA-256, and named readers.
transcript_share_link = Table(
    "transcript_share_link",
    metadata,
    Column("transcript_id", ID, ForeignKey("transcript.id", ondelete="CASCADE"), primary_key=True),
    Column("token_hash", String(128), nullable=False, unique=True),
    Column("created_at", UtcDateTime, nullable=False),
)

transcript_share_user = Table(
    "transcript_share_user",
    metadata,
    Column("transcript_id", ID, ForeignKey("transcript.id", ondelete="CASCADE"), nullable=False),
    Column("username", NAME, nullable=False, index=True),
    Column("created_at", UtcDateTime, nullable=False),
    PrimaryKeyConstraint("transcript_id", "username"),
)

# The edit log (who changed what, when); replayed onto a reprocessed result in ``id`` order.
transcript_edit = Table(
    "transcript_edit",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("transcript_id", ID, ForeignKey("transcript.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("kind", String(16), nullable=False),
    Column("by_user", NAME, nullable=False),
    Column("at", UtcDateTime, nullable=False),
    Column("speaker", Integer),
    Column("to_speaker", Integer),
    Column("start", Float),
    Column("end", Float),
    Column("text", Text),
    CheckConstraint("kind IN ('title', 'rename', 'merge', 'reassign')", name="kind"),
)
