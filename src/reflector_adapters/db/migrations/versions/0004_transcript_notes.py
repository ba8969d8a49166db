"""Meeting notes beside each transcript: generated notes, the user's edits, and the stage's status.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-02
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

ID = sa.String(64)
TS = sa.DateTime(timezone=True)


def _json() -> sa.types.TypeEngine[Any]:
    return sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def upgrade() -> None:
    op.create_table(
        "transcript_notes",
        sa.Column("transcript_id", ID, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("generated", _json()),
        sa.Column("edits", _json(), nullable=False),
        sa.Column("error", sa.Text),
        sa.Column("updated_at", TS, nullable=False),
        sa.PrimaryKeyConstraint("transcript_id", name="pk_transcript_notes"),
        sa.ForeignKeyConstraint(
            ["transcript_id"],
            ["transcript.id"],
            name="fk_transcript_notes_transcript_id_transcript",
            ondelete="CASCADE",
        ),
        sa.CheckConstraint("status IN ('pending', 'running', 'done', 'failed')", name="ck_transcript_notes_status"),
    )


def downgrade() -> None:
    op.drop_table("transcript_notes")
