"""Settings: ``REFLECTOR_*`` environment variables (also read from a ``.env`` file), validated at start.

Every field's environment name is ``REFLECTOR_`` + the field name in upper case. A bad or missing
value stops start-up with one message that names each offending variable. docs/configuration.md lists
them all (a unit test keeps that page and this class in step).
"""

from __future__ import annotations

import enum
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import attrs
import cattrs
from attrs import field, frozen
from dotenv import dotenv_values

from reflector_core.errors import ConfigurationError
from reflector_core.languages import LanguageError, Languages

PREFIX = "REFLECTOR_"


class StorageBackend(enum.StrEnum):
    LOCAL = "local"
    """Embedded mode: each bucket is the folder ``$REFLECTOR_STORAGE_DIR/<bucket name>``."""
    S3 = "s3"


def _secret() -> Any:
    return field(default=None, repr=False, metadata={"secret": True})


@frozen
class BucketSettings:
    """One bucket's location and credentials; without keys the default AWS credential chain is used."""

    name: str
    region: str | None = None
    access_key_id: str | None = None
    secret_access_key: str | None = field(default=None, repr=False)
    endpoint_url: str | None = None


@frozen(kw_only=True)
class Settings:
    # --- state
    database_url: str = "sqlite+aiosqlite:///./var/reflector.db"
    redis_url: str | None = None
    """Unset: an in-process queue (embedded mode). Set: Dramatiq's Redis broker."""
    worker_heartbeat_seconds: int = 60
    """A worker silent this long is presumed dead and its unfinished jobs go back on the queue."""

    # --- storage
    storage_backend: StorageBackend = StorageBackend.LOCAL
    storage_dir: Path = Path("./var/storage")
    transcript_bucket: str = "reflector-transcripts"
    transcript_bucket_region: str | None = None
    transcript_bucket_access_key_id: str | None = None
    transcript_bucket_secret_access_key: str | None = _secret()
    transcript_bucket_endpoint_url: str | None = None
    daily_bucket: str = "reflector-daily"
    daily_bucket_region: str | None = None
    daily_bucket_access_key_id: str | None = None
    daily_bucket_secret_access_key: str | None = _secret()
    daily_bucket_endpoint_url: str | None = None
    daily_bucket_role_arn: str | None = None
    """The IAM role Daily assumes to write raw tracks into our bucket (we never hand it keys)."""
    whereby_bucket: str = "reflector-whereby"
    whereby_bucket_region: str | None = None
    whereby_bucket_access_key_id: str | None = None
    whereby_bucket_secret_access_key: str | None = _secret()
    whereby_bucket_endpoint_url: str | None = None
    whereby_recordings_prefix: str = ""
    """The folder inside the Whereby bucket that Whereby uploads into."""
    whereby_upload_access_key_id: str | None = None
    """Keys Whereby uploads with (Whereby cannot assume a role): put-only under the prefix."""
    whereby_upload_secret_access_key: str | None = _secret()

    # --- notifications (Whereby's S3 events)
    sqs_queue_url: str | None = None
    sqs_region: str | None = None
    sqs_access_key_id: str | None = None
    sqs_secret_access_key: str | None = _secret()
    sqs_endpoint_url: str | None = None
    sqs_visibility_timeout: int = 300

    # --- platforms
    daily_api_key: str | None = _secret()
    daily_api_url: str = "https://api.daily.co/v1"
    daily_webhook_secret: tuple[str, ...] = field(default=(), repr=False, metadata={"secret": True})
    """Comma-separated: two secrets may be active at once while rotating."""
    whereby_api_key: str | None = _secret()
    whereby_api_url: str = "https://api.whereby.dev/v1"
    whereby_webhook_secret: tuple[str, ...] = field(default=(), repr=False, metadata={"secret": True})
    webhook_tolerance_seconds: int = 300

    # --- transcription
    whisper_model: str = "tiny.en"
    """``tiny.en`` (bundled), ``base`` (the [base] extra) or a path to a CTranslate2 Whisper model."""
    whisper_threads: int = 2
    default_language: str = "en"
    """New rooms' and uploads' language when none is given: ``auto`` or an ISO 639-1 code (not ``en``: needs ``base``)."""
    model_cache_dir: Path = Path("~/.cache/reflector/models")

    # --- meeting notes (docs/notes.md)
    notes_enabled: bool = True
    """Write notes after each transcript; off: transcripts only (``POST …/notes`` still works on demand)."""
    llm_url: str | None = None
    """An OpenAI-compatible API base (``http://localhost:11434/v1``); unset: offline extractive notes only."""
    llm_model: str | None = None
    llm_api_key: str | None = _secret()
    llm_context_tokens: int = 8192
    """The model's context window; transcripts longer than it are split into topic chunks, never truncated."""
    llm_timeout_seconds: int = 120
    """Per request; a timeout is retried with backoff like a 429."""
    notes_stuck_after_seconds: int = 300
    """Notes still ``pending`` this long lost their job and are enqueued again (``running``: after the job's time limit)."""
    notes_give_up_after_seconds: int = 7200
    """Notes unchanged this long are marked failed and the transcript's webhook goes out without them."""

    # --- schedule
    daily_poll_seconds: int = 60
    daily_poll_lookback_hours: int = 48
    sqs_poll_seconds: int = 20
    presence_poll_seconds: int = 30
    stuck_after_minutes: int = 30

    # --- retention (days; 0 = delete as soon as no longer needed, empty = keep)
    raw_tracks_retention_days: int | None = 0
    audio_retention_days: int | None = None
    transcript_retention_days: int | None = None

    # --- HTTP
    host: str = "127.0.0.1"
    port: int = 8000
    max_body_bytes: int = 1_048_576
    upload_max_bytes: int = 2_147_483_648
    """The largest file ``POST /v1/uploads`` takes (2 GiB); it is spooled to disk, never held in memory."""
    request_read_timeout_seconds: int = 30
    """A request's headers, and then its body, must arrive within this (slow clients are cut off)."""
    stream_key_check_seconds: int = 60
    """An open event stream re-checks its API key this often; a revoked key's stream ends then."""
    allow_private_webhook_targets: bool = False
    public_url: str | None = None
    """How people reach the service (``https://reflector.example``): https makes cookies ``Secure``."""
    web_secret: str | None = field(default=None, repr=False, metadata={"secret": True})
    """Signs CSRF tokens; every API process of a deployment needs the same one (unset: random per process)."""

    @property
    def embedded(self) -> bool:
        return self.redis_url is None

    def bucket(self, which: str) -> BucketSettings:
        """``which`` is ``transcript``, ``daily`` or ``whereby``."""
        prefix = f"{which}_bucket"
        return BucketSettings(
            name=getattr(self, prefix),
            region=getattr(self, f"{prefix}_region"),
            access_key_id=getattr(self, f"{prefix}_access_key_id"),
            secret_access_key=getattr(self, f"{prefix}_secret_access_key"),
            endpoint_url=getattr(self, f"{prefix}_endpoint_url"),
        )


def env_name(field_name: str) -> str:
    return PREFIX + field_name.upper()


def _converter() -> cattrs.Converter:
    conv = cattrs.Converter(detailed_validation=True, forbid_extra_keys=True)

    def to_bool(value: Any, _: type) -> bool:
        text = str(value).strip().lower()
        if text in {"1", "true", "yes", "on"}:
            return True
        if text in {"0", "false", "no", "off"}:
            return False
        raise ValueError(f"expected true/false, got {value!r}")

    def to_int(value: Any, _: type) -> int:
        return int(str(value).strip())

    def to_secrets(value: Any, _: type) -> tuple[str, ...]:
        return tuple(s.strip() for s in str(value).split(",") if s.strip())

    def to_optional_int(value: Any, _: type) -> int | None:
        return None if str(value).strip() == "" else to_int(value, int)

    conv.register_structure_hook(bool, to_bool)
    conv.register_structure_hook(int, to_int)
    conv.register_structure_hook_func(lambda t: t == int | None, to_optional_int)
    conv.register_structure_hook_func(lambda t: t == tuple[str, ...], to_secrets)
    conv.register_structure_hook(Path, lambda v, _: Path(str(v)).expanduser())
    return conv


def load_settings(environ: Mapping[str, str] | None = None, env_file: Path | None = Path(".env")) -> Settings:
    """Read settings from ``environ`` (default: the process environment) over the ``.env`` file."""
    values: dict[str, str] = {}
    if env_file is not None and env_file.is_file():
        values.update({k: v for k, v in dotenv_values(env_file).items() if v is not None})
    values.update(os.environ if environ is None else environ)
    known = {f.name: env_name(f.name) for f in attrs.fields(Settings)}
    raw = {name: values[env] for name, env in known.items() if env in values}
    problems = [
        f"{k}: unknown setting (known: see docs/configuration.md)"
        for k in values
        if k.startswith(PREFIX) and k not in known.values()
    ]
    try:
        settings = _converter().structure(raw, Settings)
    except cattrs.ClassValidationError as exc:
        for error in cattrs.transform_error(exc, path="settings"):
            message, _, where = error.partition(" @ ")
            name = where.removeprefix("settings.").split(".")[0].split("[")[0]
            problems.append(f"{known.get(name, name)}={raw.get(name, '')!r}: {message}")
        settings = None
    if settings is not None:
        problems += _check(settings)
    if problems:
        raise ConfigurationError("invalid settings:\n  " + "\n  ".join(sorted(problems)))
    assert settings is not None
    return settings


def _check(s: Settings) -> list[str]:
    problems = []
    if not s.database_url.startswith(("sqlite+aiosqlite://", "postgresql+asyncpg://")):
        problems.append(f"{env_name('database_url')}: must start with sqlite+aiosqlite:// or postgresql+asyncpg://")
    if s.redis_url is not None and not s.redis_url.startswith(("redis://", "rediss://", "unix://")):
        problems.append(f"{env_name('redis_url')}: must be a redis:// URL")
    for name in (
        "whisper_threads",
        "port",
        "max_body_bytes",
        "upload_max_bytes",
        "stream_key_check_seconds",
        "request_read_timeout_seconds",
        "webhook_tolerance_seconds",
        "sqs_visibility_timeout",
        "worker_heartbeat_seconds",
        "llm_context_tokens",
        "llm_timeout_seconds",
    ):
        if getattr(s, name) <= 0:
            problems.append(f"{env_name(name)}: must be positive")
    for name in ("raw_tracks_retention_days", "audio_retention_days", "transcript_retention_days"):
        if (getattr(s, name) or 0) < 0:
            problems.append(f"{env_name(name)}: must be 0 or more")
    for name in ("daily_bucket", "whereby_bucket"):
        if getattr(s, name) == s.transcript_bucket:
            # Recordings are read, and deleted after processing, from these: never from the transcripts.
            problems.append(f"{env_name(name)}: must differ from {env_name('transcript_bucket')}")
    if s.daily_api_key and not s.daily_webhook_secret:
        problems.append(f"{env_name('daily_webhook_secret')}: required when {env_name('daily_api_key')} is set")
    if s.whereby_api_key and not s.whereby_webhook_secret:
        problems.append(f"{env_name('whereby_webhook_secret')}: required when {env_name('whereby_api_key')} is set")
    try:
        Languages.for_model(s.whisper_model).check(s.default_language)
    except LanguageError as exc:
        problems.append(f"{env_name('default_language')}: {exc}")
    if s.llm_url and not s.llm_model:
        problems.append(f"{env_name('llm_model')}: required when {env_name('llm_url')} is set")
    if s.daily_api_key:
        for name in ("daily_bucket_region", "daily_bucket_role_arn"):
            if not getattr(s, name):
                problems.append(f"{env_name(name)}: required when {env_name('daily_api_key')} is set")
    if s.whereby_api_key:
        for name in ("whereby_upload_access_key_id", "whereby_upload_secret_access_key"):
            if not getattr(s, name):
                problems.append(f"{env_name(name)}: required when {env_name('whereby_api_key')} is set")
    return problems
