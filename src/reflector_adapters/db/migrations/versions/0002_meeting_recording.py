"""The recording-start record of each meeting (the service starts Daily recordings exactly once).

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

ID = sa.String(64)
NAME = sa.String(255)
TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "meeting_recording",
        sa.Column("meeting_id", ID, nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("requested_by", NAME),
        sa.Column("requested_at", TS, nullable=False),
        sa.Column("started_at", TS),
        sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
        sa.Column("error", sa.Text),
        sa.Column("updated_at", TS, nullable=False),
        sa.PrimaryKeyConstraint("meeting_id", name="pk_meeting_recording"),
        sa.ForeignKeyConstraint(
            ["meeting_id"], ["meeting.id"], name="fk_meeting_recording_meeting_id_meeting", ondelete="CASCADE"
        ),
        sa.CheckConstraint("state IN ('requested', 'started', 'failed', 'stopped')", name="ck_meeting_recording_state"),
    )


def downgrade() -> None:
    op.drop_table("meeting_recording")
