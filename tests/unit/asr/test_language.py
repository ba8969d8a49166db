"""The language setting: ``auto`` or a Whisper language code, and English-only models refuse the rest."""

from __future__ import annotations

import pytest

from reflector_adapters.asr.language import check_language, check_model_language
from reflector_core.errors import ConfigurationError


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
