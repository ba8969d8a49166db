"""Sharing (one link per transcript, named readers) and uploads (a recording's uploader).

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("recording", sa.Column("owner", sa.String(255), nullable=True))
    op.create_index("ix_recording_owner", "recording", ["owner"])
    op.create_table(
        "transcript_share_link",
        sa.Column("transcript_id", sa.String(64), nullable=False),
        sa.Column("token_hash", sa.String(128), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("transcript_id", name="pk_transcript_share_link"),
        sa.UniqueConstraint("token_hash", name="uq_transcript_share_link_token_hash"),
        sa.ForeignKeyConstraint(
            ["transcript_id"],
            ["transcript.id"],
            name="fk_transcript_share_link_transcript_id_transcript",
            ondelete="CASCADE",
        ),
    )
    op.create_table(
        "transcript_share_user",
        sa.Column("transcript_id", sa.String(64), nullable=False),
        sa.Column("username", sa.String(255), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("transcript_id", "username", name="pk_transcript_share_user"),
        sa.ForeignKeyConstraint(
            ["transcript_id"],
            ["transcript.id"],
            name="fk_transcript_share_user_transcript_id_transcript",
            ondelete="CASCADE",
        ),
    )
    op.create_index("ix_transcript_share_user_username", "transcript_share_user", ["username"])


def downgrade() -> None:
    op.drop_table("transcript_share_user")
    op.drop_table("transcript_share_link")
    op.drop_index("ix_recording_owner", table_name="recording")
    with op.batch_alter_table("recording") as batch:
        batch.drop_column("owner")
