"""Which notes writers the settings ask for, in the order they are tried."""

from __future__ import annotations

from reflector_app.settings import Settings
from reflector_core.ports import NotesWriter


def notes_writers(settings: Settings) -> list[NotesWriter]:
    """The LLM first when one is configured, the offline extractive writer always last (it cannot be down)."""
    from reflector_adapters.notes.extractive import ExtractiveNotesWriter

    writers: list[NotesWriter] = []
    if settings.llm.url and settings.llm.model:
        from reflector_adapters.notes.llm import LlmNotesWriter, LlmSettings

        writers.append(
            LlmNotesWriter(
                LlmSettings(
                    url=settings.llm.url,
                    model=settings.llm.model,
                    api_key=settings.llm.api_key,
                    context_tokens=settings.llm.context_tokens,
                    timeout=float(settings.llm.timeout_seconds),
                )
            )
        )
    writers.append(ExtractiveNotesWriter())
    return writers
