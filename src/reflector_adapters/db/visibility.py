"""Which transcripts a user sees, as one SQL condition the listing and the search share."""

from __future__ import annotations

from sqlalchemy import and_, or_, select
from sqlalchemy.sql.elements import ColumnElement

from reflector_adapters.db import tables as tb


def visible_to(user: str, *, shared: bool) -> ColumnElement[bool]:
    """Over transcript ⋈ recording ⟕ meeting ⟕ room: the user's own transcripts (their rooms' and their
    uploads'), and with ``shared`` also those shared with them by name."""
    owned = or_(
        tb.room.c.owner == user,
        and_(tb.recording.c.meeting_id.is_(None), tb.recording.c.owner == user),
    )
    if not shared:
        return owned
    share = tb.transcript_share_user
    return or_(owned, tb.transcript.c.id.in_(select(share.c.transcript_id).where(share.c.username == user)))
