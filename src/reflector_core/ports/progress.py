"""Where processing stands: the worker reports stage and fraction, the live status stream reads them."""

from __future__ import annotations

from typing import Protocol

from attrs import frozen


@frozen
class StageProgress:
    stage: str
    """``probe``, ``transcribe`` or ``mixdown`` (``audio_pipeline.STAGES``)."""
    fraction: float | None
    """0..1 of the stage, when known."""


class ProgressBoard(Protocol):
    def report(self, transcript_id: str, stage: str, fraction: float | None) -> None:
        """Called from the worker's CPU thread: cheap, and never raises (progress is best effort)."""
        ...

    async def current(self, transcript_id: str) -> StageProgress | None: ...
