"""Daily recording instance ids: fixed per meeting and kind, so a repeated start is recognised.

The scheme is the reference system's (``dailyco_api/instance_id.py``): a cloud recording uses the
meeting id itself as its UUID, a raw-tracks recording ``uuid5(RAW_TRACKS_NAMESPACE, meeting id)``;
Daily needs the two to differ to run both at once. Meeting ids that are not UUIDs (tests, imported
rows) get a ``uuid5`` under a second namespace for cloud, so every id still maps to one fixed UUID.
"""

from __future__ import annotations

from uuid import UUID, uuid5

from reflector_core.errors import InvalidInputError
from reflector_core.model import RecordingKind

RAW_TRACKS_NAMESPACE = UUID("a1b2c3d4-e5f6-7890-abcd-ef1234567890")
"""Never change: instance ids must stay the same across deployments and versions."""
CLOUD_FALLBACK_NAMESPACE = uuid5(RAW_TRACKS_NAMESPACE, "cloud")


def instance_id(meeting_id: str, kind: RecordingKind) -> str:
    if not meeting_id:
        raise InvalidInputError("a recording instance id needs a meeting id")
    if kind is RecordingKind.RAW_TRACKS:
        return str(uuid5(RAW_TRACKS_NAMESPACE, meeting_id))
    if kind is RecordingKind.CLOUD:
        try:
            return str(UUID(meeting_id))
        except ValueError:
            return str(uuid5(CLOUD_FALLBACK_NAMESPACE, meeting_id))
    raise InvalidInputError(f"meeting {meeting_id}: kind {kind.value} has no recording instance")
