"""Full-text search over transcript turns: SQLite FTS5 / PostgreSQL full-text.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

FTS = "transcript_segment_fts"


def upgrade() -> None:
    op.create_table(
        "transcript_segment",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("transcript_id", sa.String(64), nullable=False),
        sa.Column("position", sa.Integer, nullable=False),
        sa.Column("start", sa.Float, nullable=False),
        sa.Column("text", sa.Text, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_transcript_segment"),
        sa.ForeignKeyConstraint(
            ["transcript_id"],
            ["transcript.id"],
            name="fk_transcript_segment_transcript_id_transcript",
            ondelete="CASCADE",
        ),
    )
    op.create_index("ix_transcript_segment_transcript_id", "transcript_segment", ["transcript_id"])
    if op.get_bind().dialect.name == "sqlite":
        # External-content FTS5: the text lives once, in transcript_segment; triggers keep the index in step.
        op.execute(f"CREATE VIRTUAL TABLE {FTS} USING fts5(text, content='transcript_segment', content_rowid='id')")
        op.execute(
            f"CREATE TRIGGER {FTS}_ai AFTER INSERT ON transcript_segment BEGIN "
            f"INSERT INTO {FTS}(rowid, text) VALUES (new.id, new.text); END"
        )
        op.execute(
            f"CREATE TRIGGER {FTS}_ad AFTER DELETE ON transcript_segment BEGIN "
            f"INSERT INTO {FTS}({FTS}, rowid, text) VALUES ('delete', old.id, old.text); END"
        )
    else:
        op.execute(
            "CREATE INDEX ix_transcript_segment_tsv ON transcript_segment "
            "USING gin (to_tsvector('simple'::regconfig, text))"
        )


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute(f"DROP TABLE IF EXISTS {FTS}")
    op.drop_table("transcript_segment")
