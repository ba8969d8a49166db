"""Meeting notes: what turns a finished transcript into a title, topics, summaries and action items."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from reflector_core.model import MeetingNotes, Utterance


class NotesWriter(Protocol):
    """Offline extractive, or an LLM; tried in order by ``usecases.notes`` (the first that succeeds wins)."""

    @property
    def method(self) -> str:
        """``extractive`` or ``llm:<model>``: what the notes will be labelled with."""
        ...

    async def write(self, utterances: Sequence[Utterance], *, duration: float | None) -> MeetingNotes:
        """``NotesError`` when it cannot; it never touches the transcript itself."""
        ...
