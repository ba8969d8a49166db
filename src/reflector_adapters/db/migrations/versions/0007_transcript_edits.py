"""Editing transcripts: a title a person gives, and the edit log (who changed what, when).

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

ID = sa.String(64)
TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.add_column("transcript", sa.Column("title", sa.Text))
    op.create_table(
        "transcript_edit",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("transcript_id", ID, nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("by_user", sa.String(255), nullable=False),
        sa.Column("at", TS, nullable=False),
        sa.Column("speaker", sa.Integer),
        sa.Column("to_speaker", sa.Integer),
        sa.Column("start", sa.Float),
        sa.Column("end", sa.Float),
        sa.Column("text", sa.Text),
        sa.PrimaryKeyConstraint("id", name="pk_transcript_edit"),
        sa.ForeignKeyConstraint(
            ["transcript_id"],
            ["transcript.id"],
            name="fk_transcript_edit_transcript_id_transcript",
            ondelete="CASCADE",
        ),
        sa.CheckConstraint("kind IN ('title', 'rename', 'merge', 'reassign')", name="ck_transcript_edit_kind"),
    )
    op.create_index("ix_transcript_edit_transcript_id", "transcript_edit", ["transcript_id"])


def downgrade() -> None:
    op.drop_table("transcript_edit")
    with op.batch_alter_table("transcript") as batch:
        batch.drop_column("title")
