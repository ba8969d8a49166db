"""Languages: each room's transcription language, and the language each transcript was transcribed in.

Rooms made before this were transcribed in English, so they keep ``en``; transcripts made before it
have no language recorded (``NULL``).

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("room") as batch:
        batch.add_column(sa.Column("language", sa.String(16), nullable=False, server_default="en"))
    with op.batch_alter_table("transcript") as batch:
        batch.add_column(sa.Column("language", sa.String(16)))


def downgrade() -> None:
    with op.batch_alter_table("transcript") as batch:
        batch.drop_column("language")
    with op.batch_alter_table("room") as batch:
        batch.drop_column("language")
