from __future__ import annotations

from pathlib import Path

import pytest

from reflector_app.settings import ENV_NAMES, BucketSettings, StorageBackend, env_name, load_settings
from reflector_core.errors import ConfigurationError

DOC = Path(__file__).resolve().parents[3] / "docs" / "configuration.md"


def test_defaults_are_the_embedded_mode() -> None:
    s = load_settings({}, None)
    assert s.embedded and s.storage.backend is StorageBackend.LOCAL
    assert s.database.url.startswith("sqlite+aiosqlite://") and s.whisper.model == "tiny.en"


def test_every_bad_value_is_named_in_one_message() -> None:
    with pytest.raises(ConfigurationError) as info:
        load_settings(
            {
                "REFLECTOR_PORT": "eighty",
                "REFLECTOR_ALLOW_PRIVATE_WEBHOOK_TARGETS": "maybe",
                "REFLECTOR_STORAGE_BACKEND": "ftp",
                "REFLECTOR_DATABSE_URL": "typo",
            },
            None,
        )
    message = str(info.value)
    for name in (
        "REFLECTOR_PORT",
        "REFLECTOR_ALLOW_PRIVATE_WEBHOOK_TARGETS",
        "REFLECTOR_STORAGE_BACKEND",
        "REFLECTOR_DATABSE_URL",
    ):
        assert name in message


def test_the_daily_subdomain_is_one_name_and_the_pipeline_niceness_a_valid_one() -> None:
    with pytest.raises(ConfigurationError) as info:
        load_settings({"REFLECTOR_DAILY_SUBDOMAIN": "acme.daily.co", "REFLECTOR_PIPELINE_NICE": "20"}, None)
    assert "REFLECTOR_DAILY_SUBDOMAIN: the subdomain only" in str(info.value)
    assert "REFLECTOR_PIPELINE_NICE: must be 0..19" in str(info.value)
    assert load_settings({"REFLECTOR_DAILY_SUBDOMAIN": "acme-2"}, None).daily.subdomain == "acme-2"


def test_dependent_settings_are_required_together() -> None:
    with pytest.raises(ConfigurationError) as info:
        load_settings({"REFLECTOR_DAILY_API_KEY": "k", "REFLECTOR_WHISPER_THREADS": "0"}, None)
    for name in (
        "REFLECTOR_DAILY_WEBHOOK_SECRET",
        "REFLECTOR_DAILY_BUCKET_REGION",
        "REFLECTOR_DAILY_BUCKET_ROLE_ARN",
        "REFLECTOR_WHISPER_THREADS",
    ):
        assert name in str(info.value)


def test_the_default_language_must_suit_the_model() -> None:
    with pytest.raises(ConfigurationError) as info:
        load_settings({"REFLECTOR_DEFAULT_LANGUAGE": "auto"}, None)
    assert "REFLECTOR_DEFAULT_LANGUAGE: language detection ('auto') needs a multilingual Whisper model" in str(
        info.value
    )
    assert "REFLECTOR_WHISPER_MODEL=base" in str(info.value)
    with pytest.raises(ConfigurationError, match="unknown language 'xx'"):
        load_settings({"REFLECTOR_DEFAULT_LANGUAGE": "xx", "REFLECTOR_WHISPER_MODEL": "base"}, None)
    s = load_settings({"REFLECTOR_DEFAULT_LANGUAGE": "de", "REFLECTOR_WHISPER_MODEL": "base"}, None)
    assert s.whisper.default_language == "de"


def test_the_transcript_bucket_is_never_a_recordings_bucket() -> None:
    with pytest.raises(ConfigurationError) as info:
        load_settings({"REFLECTOR_DAILY_BUCKET": "out", "REFLECTOR_TRANSCRIPT_BUCKET": "out"}, None)
    assert "REFLECTOR_DAILY_BUCKET: must differ from REFLECTOR_TRANSCRIPT_BUCKET" in str(info.value)


def test_env_file_is_read_and_the_environment_wins(tmp_path: Path) -> None:
    env = tmp_path / ".env"
    env.write_text('REFLECTOR_PORT=9000\nREFLECTOR_WHISPER_MODEL="base"\n')
    s = load_settings({"REFLECTOR_PORT": "9100"}, env)
    assert (s.http.port, s.whisper.model) == (9100, "base")


def test_secrets_rotate_and_are_not_printed() -> None:
    s = load_settings({"REFLECTOR_DAILY_WEBHOOK_SECRET": "old, new", "REFLECTOR_SQS_SECRET_ACCESS_KEY": "hush"}, None)
    assert s.daily.webhook_secret == ("old", "new")
    assert "hush" not in repr(s) and "old" not in repr(s)


def test_empty_retention_means_keep() -> None:
    assert load_settings({"REFLECTOR_AUDIO_RETENTION_DAYS": ""}, None).retention.audio_days is None


def test_configuration_page_lists_every_setting() -> None:
    text = DOC.read_text()
    missing = [name for name in ENV_NAMES if f"`{name}`" not in text]
    assert len(ENV_NAMES) == 68 and missing == []


def test_settings_are_nested_by_concern_under_the_documented_names() -> None:
    s = load_settings({"REFLECTOR_DAILY_BUCKET_REGION": "eu-central-1", "REFLECTOR_WEB_SECRET": "w"}, None)
    assert s.daily.bucket == BucketSettings(name="reflector-daily", region="eu-central-1")
    assert s.storage.transcripts.name == "reflector-transcripts" and s.web.secret == "w"
    assert env_name("daily", "bucket", "name") == "REFLECTOR_DAILY_BUCKET"
    assert env_name("retention", "audio_days") == "REFLECTOR_AUDIO_RETENTION_DAYS"
    assert ENV_NAMES["REFLECTOR_MODEL_CACHE_DIR"] == ("whisper", "model_cache_dir")
