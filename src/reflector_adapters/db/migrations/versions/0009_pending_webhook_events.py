"""Inbound webhook events keep their raw body until handled, so a restart can handle a lost one.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Rows recorded before this revision stay NULL: they are not re-run (their jobs are long done).
    with op.batch_alter_table("webhook_event") as batch:
        batch.add_column(sa.Column("pending_body", sa.Text, nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("webhook_event") as batch:
        batch.drop_column("pending_body")
