"""Settings: ``REFLECTOR_*`` environment variables (also read from a ``.env`` file), validated at start.

``Settings`` is nested by concern (``settings.daily.bucket.region``, ``settings.llm.url``); each leaf
is one variable, ``REFLECTOR_`` + its group's prefix + its name in upper case unless the field names
its own (``ENV_NAMES`` lists them). A bad or missing value stops start-up with one message that names
each offending variable. docs/configuration.md lists them all (a unit test keeps that page and this
module in step).
"""

from __future__ import annotations

import enum
import os
import re
from collections.abc import Callable, Iterator, Mapping
from datetime import timedelta
from pathlib import Path
from typing import Any

import attrs
import cattrs
from attrs import field, frozen
from dotenv import dotenv_values

from reflector_adapters.daily.client import DailySettings
from reflector_adapters.daily.webhooks import DailyWebhooks
from reflector_adapters.whereby.client import WherebySettings
from reflector_adapters.whereby.webhooks import WherebyWebhooks
from reflector_core.errors import ConfigurationError
from reflector_core.languages import LanguageError, Languages
from reflector_core.ports import Clock

PREFIX = "REFLECTOR_"


class StorageBackend(enum.StrEnum):
    LOCAL = "local"
    """Embedded mode: each bucket is the folder ``$REFLECTOR_STORAGE_DIR/<bucket name>``."""
    S3 = "s3"


def _secret(default: Any = None, *, env: str | None = None) -> Any:
    return field(default=default, repr=False, metadata={"secret": True, "env": env})


def _env(env: str, default: Any) -> Any:
    """A field whose environment name is ``REFLECTOR_`` + ``env`` (not its group's prefix + its name)."""
    return field(default=default, metadata={"env": env})


def _group(factory: Callable[[], Any], prefix: str) -> Any:
    """A nested group whose fields are named ``REFLECTOR_`` + ``prefix`` + the field name."""
    return field(factory=factory, metadata={"prefix": prefix})


@frozen(kw_only=True)
class DatabaseSettings:
    url: str = "sqlite+aiosqlite:///./var/reflector.db"


@frozen(kw_only=True)
class QueueSettings:
    redis_url: str | None = None
    """Unset: an in-process queue (embedded mode). Set: Dramatiq's Redis broker."""
    worker_heartbeat_seconds: int = 60
    """A worker silent this long is presumed dead and its unfinished jobs go back on the queue."""


@frozen(kw_only=True)
class BucketSettings:
    """One bucket's location and credentials; without keys the default AWS credential chain is used.

    The fields are ``S3BucketConfig``'s: the composition root hands them over as they are.
    """

    name: str = field(metadata={"env": ""})
    """``REFLECTOR_<WHICH>_BUCKET`` itself (the group's prefix without its last ``_``)."""
    region: str | None = None
    access_key_id: str | None = None
    secret_access_key: str | None = _secret()
    endpoint_url: str | None = None


def _bucket(name: str, prefix: str) -> Any:
    return _group(lambda: BucketSettings(name=name), prefix)


@frozen(kw_only=True)
class StorageSettings:
    backend: StorageBackend = StorageBackend.LOCAL
    dir: Path = Path("./var/storage")
    transcripts: BucketSettings = _bucket("reflector-transcripts", "transcript_bucket_")


@frozen(kw_only=True)
class SqsSettings:
    """The queue of the Whereby bucket's S3 events; unset ``queue_url``: not polled."""

    queue_url: str | None = None
    region: str | None = None
    access_key_id: str | None = None
    secret_access_key: str | None = _secret()
    endpoint_url: str | None = None
    visibility_timeout: int = 300


@frozen(kw_only=True)
class PlatformSettings:
    """What Daily and Whereby both have: an API key and the webhook secrets."""

    api_key: str | None = _secret()
    webhook_secret: tuple[str, ...] = _secret(())
    """Comma-separated: two secrets may be active at once while rotating."""


@frozen(kw_only=True)
class DailyPlatformSettings(PlatformSettings):
    api_url: str = "https://api.daily.co/v1"
    bucket: BucketSettings = _bucket("reflector-daily", "daily_bucket_")
    bucket_role_arn: str | None = None
    """The IAM role Daily assumes to write raw tracks into our bucket (we never hand it keys)."""
    subdomain: str | None = None
    """Your Daily domain (``acme`` for acme.daily.co): recording keys must start with it."""

    def client_settings(self) -> DailySettings | None:
        """What the Daily adapter needs, or ``None`` when the API is not configured."""
        if not (self.api_key and self.bucket.region and self.bucket_role_arn):
            return None
        return DailySettings(
            api_key=self.api_key,
            recordings_bucket=self.bucket.name,
            bucket_region=self.bucket.region,
            assume_role_arn=self.bucket_role_arn,
            base_url=self.api_url,
        )

    def webhooks(self, tolerance: timedelta, clock: Clock) -> DailyWebhooks:
        return DailyWebhooks(self.webhook_secret, bucket=self.bucket.name, tolerance=tolerance, clock=clock)


@frozen(kw_only=True)
class WherebyPlatformSettings(PlatformSettings):
    api_url: str = "https://api.whereby.dev/v1"
    bucket: BucketSettings = _bucket("reflector-whereby", "whereby_bucket_")
    recordings_prefix: str = ""
    """The folder inside the Whereby bucket that Whereby uploads into."""
    upload_access_key_id: str | None = None
    """Keys Whereby uploads with (Whereby cannot assume a role): put-only under the prefix."""
    upload_secret_access_key: str | None = _secret()

    def client_settings(self) -> WherebySettings | None:
        """What the Whereby adapter needs, or ``None`` when the API is not configured."""
        if not (self.api_key and self.upload_access_key_id and self.upload_secret_access_key):
            return None
        return WherebySettings(
            api_key=self.api_key,
            recordings_bucket=self.bucket.name,
            upload_access_key_id=self.upload_access_key_id,
            upload_secret_access_key=self.upload_secret_access_key,
            recordings_prefix=self.recordings_prefix,
            base_url=self.api_url,
        )

    def webhooks(self, tolerance: timedelta, clock: Clock) -> WherebyWebhooks:
        return WherebyWebhooks(
            self.webhook_secret,
            bucket=self.bucket.name,
            prefix=self.recordings_prefix,
            tolerance=tolerance,
            clock=clock,
        )


@frozen(kw_only=True)
class WhisperSettings:
    model: str = "tiny.en"
    """``tiny.en`` (bundled), ``base`` (the [base] extra) or a path to a CTranslate2 Whisper model."""
    threads: int = 2
    default_language: str = _env("default_language", "en")
    """New rooms' and uploads' language when none is given: ``auto`` or an ISO 639-1 code (not ``en``: needs ``base``)."""
    model_cache_dir: Path = _env("model_cache_dir", Path("~/.cache/reflector/models"))
    pipeline_nice: int = _env("pipeline_nice", 10)
    """Niceness added to the worker's transcription process (0-19): the API's process gets the cores first."""


@frozen(kw_only=True)
class NotesSettings:
    """Meeting notes (docs/notes.md)."""

    enabled: bool = True
    """Write notes after each transcript; off: transcripts only (``POST …/notes`` still works on demand)."""
    stuck_after_seconds: int = 300
    """Notes still ``pending`` this long lost their job and are enqueued again (``running``: after the job's time limit)."""
    give_up_after_seconds: int = 7200
    """Notes unchanged this long are marked failed and the transcript's webhook goes out without them."""


@frozen(kw_only=True)
class LlmSettings:
    url: str | None = None
    """An OpenAI-compatible API base (``http://localhost:11434/v1``); unset: offline extractive notes only."""
    model: str | None = None
    api_key: str | None = _secret()
    context_tokens: int = 8192
    """The model's context window; transcripts longer than it are split into topic chunks, never truncated."""
    timeout_seconds: int = 120
    """Per request; a timeout is retried with backoff like a 429."""


@frozen(kw_only=True)
class ScheduleSettings:
    daily_poll_seconds: int = 60
    daily_poll_lookback_hours: int = 48
    sqs_poll_seconds: int = 20
    presence_poll_seconds: int = 30
    stuck_after_minutes: int = 30


@frozen(kw_only=True)
class RetentionSettings:
    """Days; 0 = delete as soon as no longer needed, empty = keep."""

    raw_tracks_days: int | None = _env("raw_tracks_retention_days", 0)
    audio_days: int | None = _env("audio_retention_days", None)
    transcript_days: int | None = _env("transcript_retention_days", None)


@frozen(kw_only=True)
class HttpSettings:
    host: str = "127.0.0.1"
    port: int = 8000
    max_body_bytes: int = 1_048_576
    upload_max_bytes: int = 2_147_483_648
    """The largest file ``POST /v1/uploads`` takes (2 GiB); it is spooled to disk, never held in memory."""
    request_read_timeout_seconds: int = 30
    """A request's headers, and then its body, must arrive within this (slow clients are cut off)."""
    stream_key_check_seconds: int = 60
    """An open event stream re-checks its API key this often; a revoked key's stream ends then."""
    webhook_tolerance_seconds: int = 300
    """How old a platform webhook's signed timestamp may be."""
    allow_private_webhook_targets: bool = False
    """Outbound webhooks may go to private addresses (tests, a private network)."""


@frozen(kw_only=True)
class WebSettings:
    public_url: str | None = None
    """How people reach the service (``https://reflector.example``): https makes cookies ``Secure``."""
    secret: str | None = _secret(env="web_secret")
    """Signs CSRF tokens; every API process of a deployment needs the same one (unset: random per process)."""


@frozen(kw_only=True)
class Settings:
    """Every setting, by concern; each leaf is one ``REFLECTOR_*`` variable (``env_names``)."""

    database: DatabaseSettings = _group(DatabaseSettings, "database_")
    queue: QueueSettings = _group(QueueSettings, "")
    storage: StorageSettings = _group(StorageSettings, "storage_")
    sqs: SqsSettings = _group(SqsSettings, "sqs_")
    daily: DailyPlatformSettings = _group(DailyPlatformSettings, "daily_")
    whereby: WherebyPlatformSettings = _group(WherebyPlatformSettings, "whereby_")
    whisper: WhisperSettings = _group(WhisperSettings, "whisper_")
    notes: NotesSettings = _group(NotesSettings, "notes_")
    llm: LlmSettings = _group(LlmSettings, "llm_")
    schedule: ScheduleSettings = _group(ScheduleSettings, "")
    retention: RetentionSettings = _group(RetentionSettings, "")
    http: HttpSettings = _group(HttpSettings, "")
    web: WebSettings = _group(WebSettings, "")

    @property
    def embedded(self) -> bool:
        return self.queue.redis_url is None


SettingPath = tuple[str, ...]
"""Where a leaf sits in ``Settings``: ``("daily", "bucket", "region")``."""


def _resolve(cls: type) -> type:
    attrs.resolve_types(cls)
    for f in attrs.fields(cls):
        if isinstance(f.type, type) and attrs.has(f.type):
            _resolve(f.type)
    return cls


def _leaves(cls: type, prefix: str = "", path: SettingPath = ()) -> Iterator[tuple[str, SettingPath, Any]]:
    """Each leaf's variable name, path and type."""
    for f in attrs.fields(cls):
        if isinstance(f.type, type) and attrs.has(f.type):
            yield from _leaves(f.type, f.metadata.get("prefix", f"{prefix}{f.name}_"), (*path, f.name))
            continue
        env = f.metadata.get("env")
        name = prefix.removesuffix("_") if env == "" else env or f"{prefix}{f.name}"
        yield PREFIX + name.upper(), (*path, f.name), f.type


_LEAVES = {env: (path, kind) for env, path, kind in _leaves(_resolve(Settings))}
ENV_NAMES: dict[str, SettingPath] = {env: path for env, (path, _) in _LEAVES.items()}
"""Every ``REFLECTOR_*`` variable and where its value goes (docs/configuration.md lists them all)."""
_NAME_OF: dict[SettingPath, str] = {path: env for env, path in ENV_NAMES.items()}


def env_name(*path: str) -> str:
    """The variable of a setting: ``env_name("daily", "bucket", "region")`` is ``REFLECTOR_DAILY_BUCKET_REGION``."""
    return _NAME_OF[path]


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
    problems = [
        f"{k}: unknown setting (known: see docs/configuration.md)"
        for k in values
        if k.startswith(PREFIX) and k not in _LEAVES
    ]
    conv = _converter()
    settings = Settings()
    for env, (path, kind) in _LEAVES.items():
        if env not in values:
            continue
        try:
            settings = _replace(settings, path, conv.structure(values[env], kind))
        except (ValueError, TypeError, cattrs.BaseValidationError) as exc:
            problems.append(f"{env}={values[env]!r}: {exc}")
    if not problems:
        problems += _check(settings)
    if problems:
        raise ConfigurationError("invalid settings:\n  " + "\n  ".join(sorted(problems)))
    return settings


def _replace(group: Any, path: SettingPath, value: Any) -> Any:
    """``group`` with the leaf at ``path`` set to ``value`` (each group on the way is evolved)."""
    head, *rest = path
    return attrs.evolve(group, **{head: _replace(getattr(group, head), tuple(rest), value) if rest else value})


def _check(s: Settings) -> list[str]:
    problems = []
    if not s.database.url.startswith(("sqlite+aiosqlite://", "postgresql+asyncpg://")):
        problems.append(f"{env_name('database', 'url')}: must start with sqlite+aiosqlite:// or postgresql+asyncpg://")
    redis = s.queue.redis_url
    if redis is not None and not redis.startswith(("redis://", "rediss://", "unix://")):
        problems.append(f"{env_name('queue', 'redis_url')}: must be a redis:// URL")
    for path in POSITIVE:
        if _get(s, path) <= 0:
            problems.append(f"{env_name(*path)}: must be positive")
    for name in ("raw_tracks_days", "audio_days", "transcript_days"):
        if (getattr(s.retention, name) or 0) < 0:
            problems.append(f"{env_name('retention', name)}: must be 0 or more")
    for platform in ("daily", "whereby"):
        if _get(s, (platform, "bucket", "name")) == s.storage.transcripts.name:
            # Recordings are read, and deleted after processing, from these: never from the transcripts.
            problems.append(
                f"{env_name(platform, 'bucket', 'name')}: must differ from {env_name('storage', 'transcripts', 'name')}"
            )
    if s.daily.subdomain is not None and not re.fullmatch(r"[A-Za-z0-9-]+", s.daily.subdomain):
        problems.append(f"{env_name('daily', 'subdomain')}: the subdomain only (acme for acme.daily.co)")
    if not 0 <= s.whisper.pipeline_nice <= 19:
        problems.append(f"{env_name('whisper', 'pipeline_nice')}: must be 0..19")
    try:
        Languages.for_model(s.whisper.model).check(s.whisper.default_language)
    except LanguageError as exc:
        problems.append(f"{env_name('whisper', 'default_language')}: {exc}")
    return problems + _required_together(s)


POSITIVE: tuple[SettingPath, ...] = (
    ("whisper", "threads"),
    ("http", "port"),
    ("http", "max_body_bytes"),
    ("http", "upload_max_bytes"),
    ("http", "stream_key_check_seconds"),
    ("http", "request_read_timeout_seconds"),
    ("http", "webhook_tolerance_seconds"),
    ("sqs", "visibility_timeout"),
    ("queue", "worker_heartbeat_seconds"),
    ("llm", "context_tokens"),
    ("llm", "timeout_seconds"),
)

REQUIRED_WITH: dict[SettingPath, tuple[SettingPath, ...]] = {
    ("daily", "api_key"): (("daily", "webhook_secret"), ("daily", "bucket", "region"), ("daily", "bucket_role_arn")),
    ("whereby", "api_key"): (
        ("whereby", "webhook_secret"),
        ("whereby", "upload_access_key_id"),
        ("whereby", "upload_secret_access_key"),
    ),
    ("llm", "url"): (("llm", "model"),),
}
"""When the key is set, each of these must be too."""


def _required_together(s: Settings) -> list[str]:
    return [
        f"{env_name(*needed)}: required when {env_name(*when)} is set"
        for when, needs in REQUIRED_WITH.items()
        if _get(s, when)
        for needed in needs
        if not _get(s, needed)
    ]


def _get(s: Settings, path: SettingPath) -> Any:
    value: Any = s
    for name in path:
        value = getattr(value, name)
    return value
