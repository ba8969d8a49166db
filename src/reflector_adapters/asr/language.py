"""The transcription language setting checked against the model (the rules: ``reflector_core.languages``).

English-only models (``tiny.en``, any ``*.en`` path) can only transcribe English: asked for another
language, or to detect it, they would transcribe everything as English (or translate), so that
is a configuration error naming the fix (the multilingual ``base`` model, the ``[base]`` extra).
"""

from __future__ import annotations

from reflector_core.errors import ConfigurationError
from reflector_core.languages import AUTO, ENGLISH, WHISPER_LANGUAGES, english_only, refusal

__all__ = ["AUTO", "ENGLISH", "check_language", "check_model_language"]


def check_language(setting: str | None) -> str:
    """The normalised setting (``auto`` or a code Whisper knows); ``ConfigurationError`` otherwise."""
    value = (setting or ENGLISH).strip().lower()
    if value != AUTO and value not in WHISPER_LANGUAGES:
        raise ConfigurationError(
            f"unknown language {setting!r}: use 'auto' or an ISO 639-1 code Whisper knows (en, de, fr, es, …)"
        )
    return value


def check_model_language(language: str, *, model_name: str, multilingual: bool | None = None) -> None:
    """Refuse a non-English (or ``auto``) language with an English-only model.

    ``multilingual`` is the loaded model's own answer when known; before loading, the name decides
    (``tiny.en``, any ``….en`` directory).
    """
    is_english_only = (not multilingual) if multilingual is not None else english_only(model_name)
    if is_english_only and language != ENGLISH:
        raise ConfigurationError(refusal(language, model_name))
