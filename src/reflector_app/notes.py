"""Which notes writers the settings ask for, in the order they are tried."""

from __future__ import annotations

from reflector_app.settings import Settings
from reflector_core.ports import NotesWriter


def notes_writers(settings: Settings) -> list[NotesWriter]:
    """The LLM first when one is configured, the offline extractive writer always last (it cannot be down)."""
    from reflector_adapters.notes.extractive import ExtractiveNotesWriter

    writers: list[NotesWriter] = []
    if settings.llm_url and settings.llm_model:
        from reflector_adapters.notes.llm import LlmNotesWriter, LlmSettings

        writers.append(
            LlmNotesWriter(
                LlmSettings(
                    url=settings.llm_url,
                    model=settings.llm_model,
                    api_key=settings.llm_api_key,
                    context_tokens=settings.llm_context_tokens,
                    timeout=float(settings.llm_timeout_seconds),
                )
            )
        )
    writers.append(ExtractiveNotesWriter())
    return writers
