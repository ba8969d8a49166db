"""The language setting: ``auto`` or a Whisper language code, and English-only models refuse the rest."""

from __future__ import annotations

import pytest
from faster_whisper.tokenizer import _LANGUAGE_CODES

from reflector_adapters.asr.language import check_language, check_model_language
from reflector_adapters.asr.whisper import WhisperSettings, WhisperTranscriber
from reflector_core.errors import ConfigurationError, InvalidInputError
from reflector_core.languages import WHISPER_LANGUAGES, LanguageError, Languages


def test_codes_and_auto_are_normalised() -> None:
    assert check_language(" DE ") == "de"
    assert check_language("auto") == "auto"
    assert check_language(None) == "en"


def test_an_unknown_language_is_named() -> None:
    with pytest.raises(ConfigurationError, match="unknown language 'klingon'"):
        check_language("klingon")


@pytest.mark.parametrize("language", ["de", "auto"])
def test_an_english_only_model_with_another_language_names_the_fix(language: str) -> None:
    with pytest.raises(ConfigurationError, match=r"'tiny\.en' is English-only: use --model base"):
        check_model_language(language, model_name="tiny.en")
    with pytest.raises(ConfigurationError, match="English-only"):
        check_model_language(language, model_name="my-model", multilingual=False)


def test_english_or_a_multilingual_model_is_fine() -> None:
    check_model_language("en", model_name="tiny.en")
    check_model_language("de", model_name="base")
    check_model_language("auto", model_name="whisper.en", multilingual=True)


def test_the_cores_list_is_whispers() -> None:
    assert set(_LANGUAGE_CODES) == WHISPER_LANGUAGES


def test_a_room_setting_is_normalised_or_refused_naming_the_fix() -> None:
    assert Languages().check(" DE ") == "de"
    assert Languages().check("auto") == "auto"
    with pytest.raises(LanguageError, match="unknown language 'english'"):
        Languages().check("english")
    english_only = Languages.for_model("tiny.en")
    assert english_only.check("EN") == "en"
    for value in ("auto", "de"):
        with pytest.raises(InvalidInputError, match=r"'tiny\.en' is English-only.*REFLECTOR_WHISPER_MODEL=base"):
            english_only.check(value)
    assert Languages.for_model("/models/small.en/").english_only_model == "/models/small.en/"
    assert Languages.for_model("base", "auto") == Languages(None, "auto")


def test_each_recording_gets_its_own_language() -> None:
    whisper = WhisperTranscriber(WhisperSettings(model="tiny.en"))
    whisper.use_language(None)  # the configured one
    assert whisper.language == "en"
    with pytest.raises(LanguageError, match="English-only"):
        whisper.use_language("auto")
    assert whisper.language == "en"  # a refusal changes nothing
    whisper.use_language("EN")
    assert whisper.language == "en"
