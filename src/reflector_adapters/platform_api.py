"""The HTTP call both platform clients share: bearer auth, retry with backoff, typed errors.

Retry policy (see docs/platforms.md):

- 429 is retried for every method: the platform refused the request before acting on it. The
  wait is ``Retry-After`` (seconds or an HTTP date) or the platform's own hint when present,
  else exponential backoff.
- Connection failures (nothing reached the server) are retried for every method.
- 5xx, timeouts and other transport errors are retried only for idempotent calls: a POST that
  timed out may have created a room, and repeating it would create another.
- When the attempts run out, or the platform asks for a wait longer than ``max_retry_after``,
  the call raises ``PlatformUnavailableError`` (transient: the job retries later). Other 4xx
  raise ``PlatformError`` with the platform's error code and text.
"""

from __future__ import annotations

import asyncio
import email.utils
import json
import random
from collections.abc import Awaitable, Callable, Collection, Mapping
from datetime import UTC, datetime
from typing import Any, Generic, Protocol, Self, TypedDict, TypeVar, Unpack
from urllib.parse import quote

import attrs
import httpx
from attrs import frozen

from reflector_adapters.clock import SYSTEM_CLOCK
from reflector_core.errors import InvalidInputError, PayloadError, PlatformError, PlatformUnavailableError
from reflector_core.model import Platform
from reflector_core.ports import Clock

Sleep = Callable[[float], Awaitable[None]]


@frozen
class ErrorBody:
    """What a platform's error response says: a stable code (Daily), free text, an optional wait hint."""

    code: str | None
    info: str
    retry_after: float | None = None


ErrorReader = Callable[[httpx.Response], ErrorBody]


def _positive(_instance: object, attribute: attrs.Attribute[Any], value: float) -> None:
    if value < 0:
        raise ValueError(f"{attribute.name} must not be negative, got {value!r}")


@frozen
class RetryPolicy:
    attempts: int = attrs.field(default=4, validator=attrs.validators.ge(1))
    """Total tries, the first included."""
    base_delay: float = attrs.field(default=0.5, validator=_positive)
    max_delay: float = attrs.field(default=30.0, validator=_positive)
    max_retry_after: float = attrs.field(default=60.0, validator=_positive)
    """A platform asking for a longer wait is not waited for: give up now and let the job retry later."""
    jitter: float = attrs.field(default=0.1, validator=attrs.validators.and_(_positive, attrs.validators.le(1)))
    """Fraction of each backoff randomised, so workers rejected together do not return together."""

    def backoff(self, retry: int, rand: Callable[[], float]) -> float:
        """The wait before retry number ``retry`` (1-based) when the platform gave no hint."""
        delay = min(self.max_delay, self.base_delay * 2.0 ** (retry - 1))
        return delay * (1 - self.jitter + 2 * self.jitter * rand())


def parse_retry_after(value: str | None, now: datetime) -> float | None:
    """Seconds to wait from a ``Retry-After`` header (delta seconds or an HTTP date); ``None`` if unusable."""
    if not value:
        return None
    value = value.strip()
    try:
        seconds = float(value)
    except ValueError:
        try:
            when = email.utils.parsedate_to_datetime(value)
        except (TypeError, ValueError, IndexError):
            return None
        if when.utcoffset() is None:
            when = when.replace(tzinfo=UTC)
        seconds = (when - now).total_seconds()
    if seconds != seconds or seconds == float("inf"):
        return None
    return max(0.0, seconds)


def segment(value: str) -> str:
    """One URL path segment: everything that could change the path (``/``, ``?``, ``..``) escaped."""
    if value in {"", ".", ".."}:
        raise InvalidInputError(f"not a usable URL path segment: {value!r}")
    return quote(value, safe="")


class CallOptions(TypedDict, total=False):
    """``call``'s options that ``call_json`` passes on."""

    params: Mapping[str, str | int] | None
    json_body: Mapping[str, Any] | None
    ok: Collection[int]
    missing_ok: bool


class JsonApi:
    """One platform's REST API. Owns its ``httpx.AsyncClient`` only when it created it."""

    def __init__(
        self,
        *,
        platform: str,
        base_url: str,
        api_key: str,
        read_error: ErrorReader,
        client: httpx.AsyncClient | None = None,
        timeout: float = 10.0,
        retry: RetryPolicy | None = None,
        sleep: Sleep = asyncio.sleep,
        clock: Clock | None = None,
        rand: Callable[[], float] = random.random,
    ) -> None:
        self.platform = platform
        self._base_url = base_url.rstrip("/")
        self._headers = {"Authorization": f"Bearer {api_key}", "Accept": "application/json"}
        self._read_error = read_error
        self._owns_client = client is None
        self._client = client if client is not None else httpx.AsyncClient(timeout=timeout)
        self._timeout = timeout
        self._retry = retry or RetryPolicy()
        self._sleep = sleep
        self._clock: Clock = clock or SYSTEM_CLOCK
        self._rand = rand

    async def sleep(self, seconds: float) -> None:
        """The injected sleep (tests record waits instead of waiting), for callers' own retry loops."""
        await self._sleep(seconds)

    async def aclose(self) -> None:
        if self._owns_client:
            await self._client.aclose()

    async def call(
        self,
        operation: str,
        method: str,
        path: str,
        *,
        idempotent: bool,
        params: Mapping[str, str | int] | None = None,
        json_body: Mapping[str, Any] | None = None,
        files: Mapping[str, tuple[str, bytes, str]] | None = None,
        ok: Collection[int] = (200,),
        missing_ok: bool = False,
    ) -> httpx.Response | None:
        """Send one logical call; ``None`` only when ``missing_ok`` and the platform answered 404."""
        url = self._base_url + path
        retry = 0
        while True:
            wait: float | None
            try:
                response = await self._client.request(
                    method,
                    url,
                    params=dict(params) if params else None,
                    json=json_body,
                    files=files,
                    headers=self._headers,
                    timeout=self._timeout,
                )
            except httpx.TransportError as exc:
                failure, wait = self._transport_failure(exc, operation, idempotent=idempotent), None
            else:
                if response.status_code in ok:
                    return response
                if response.status_code == 404 and missing_ok:
                    return None
                failure, wait = self._answer_failure(response, operation, idempotent=idempotent)
            retry += 1
            await self._sleep(self._wait_before_retry(failure, wait, retry, operation))

    def _transport_failure(
        self, exc: httpx.TransportError, operation: str, *, idempotent: bool
    ) -> PlatformUnavailableError:
        """No answer: retried, unless the request may have reached the server and is not idempotent."""
        if isinstance(exc, httpx.ConnectError | httpx.ConnectTimeout):
            # Nothing reached the server, so even a POST may be repeated.
            return PlatformUnavailableError(self.platform, operation, None, "connect-error", str(exc) or repr(exc))
        code = "timeout" if isinstance(exc, httpx.TimeoutException) else "transport-error"
        failure = PlatformUnavailableError(self.platform, operation, None, code, str(exc) or repr(exc))
        if not idempotent:
            raise failure from exc
        return failure

    def _answer_failure(
        self, response: httpx.Response, operation: str, *, idempotent: bool
    ) -> tuple[PlatformUnavailableError, float | None]:
        """A retryable failure and the wait the platform asked for; raises what retrying cannot fix."""
        status = response.status_code
        body = self._read_error(response)
        if status == 429:
            failure = PlatformUnavailableError(self.platform, operation, status, body.code, body.info)
            header_wait = parse_retry_after(response.headers.get("Retry-After"), self._clock.now())
            return failure, header_wait if header_wait is not None else body.retry_after
        if status >= 500:
            failure = PlatformUnavailableError(self.platform, operation, status, body.code, body.info)
            if not idempotent:
                raise failure
            return failure, None
        raise PlatformError(self.platform, operation, status, body.code, body.info)

    def _wait_before_retry(
        self, failure: PlatformUnavailableError, wait: float | None, retry: int, operation: str
    ) -> float:
        """Seconds to wait before attempt ``retry + 1``; raises when the retries or the patience are spent."""
        if retry >= self._retry.attempts:
            raise failure
        if wait is None:
            return self._retry.backoff(retry, self._rand)
        if wait > self._retry.max_retry_after:
            raise PlatformUnavailableError(
                self.platform,
                operation,
                failure.status,
                failure.code,
                f"{failure.info} (platform asks to wait {wait:.0f} s; not waiting)",
            )
        return wait

    async def call_json(
        self, operation: str, method: str, path: str, *, idempotent: bool, **options: Unpack[CallOptions]
    ) -> dict[str, Any] | None:
        """``call`` for endpoints that answer one JSON object."""
        response = await self.call(operation, method, path, idempotent=idempotent, **options)
        if response is None:
            return None
        try:
            data = response.json()
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise PayloadError(f"{self.platform} {operation} response", f"not JSON: {exc}") from exc
        if not isinstance(data, dict):
            raise PayloadError(
                f"{self.platform} {operation} response", f"expected an object, got {type(data).__name__}"
            )
        return data


class ApiSettings(Protocol):
    """What every platform client's settings carry."""

    @property
    def base_url(self) -> str: ...
    @property
    def api_key(self) -> str: ...
    @property
    def timeout(self) -> float: ...


S = TypeVar("S", bound=ApiSettings)


class ApiClient(Generic[S]):
    """Base of a platform client: owns one ``JsonApi``, closed by ``aclose()`` or ``async with``.

    A subclass names its ``platform`` and how its API writes errors (``read_error``). Pass ``client``
    (e.g. with an ``httpx.MockTransport``) and ``sleep`` in tests; the defaults make real calls and
    really wait.
    """

    platform: Platform

    @staticmethod
    def read_error(response: httpx.Response) -> ErrorBody:
        """How this platform's API writes an error body (each subclass names its reader)."""
        raise NotImplementedError

    def __init__(
        self,
        settings: S,
        *,
        client: httpx.AsyncClient | None = None,
        retry: RetryPolicy | None = None,
        sleep: Sleep = asyncio.sleep,
        clock: Clock | None = None,
        rand: Callable[[], float] = random.random,
    ) -> None:
        self.settings = settings
        self._api = JsonApi(
            platform=self.platform.value,
            base_url=settings.base_url,
            api_key=settings.api_key,
            read_error=type(self).read_error,
            client=client,
            timeout=settings.timeout,
            retry=retry,
            sleep=sleep,
            clock=clock,
            rand=rand,
        )

    async def aclose(self) -> None:
        await self._api.aclose()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(self, *_exc: object) -> None:
        await self.aclose()


def error_text(response: httpx.Response, limit: int = 300) -> str:
    """The start of a non-JSON error body, for the exception message."""
    try:
        text = response.text
    except (UnicodeDecodeError, LookupError):
        return f"{len(response.content)} bytes of undecodable body"
    return text[:limit].strip()


def json_or_none(response: httpx.Response) -> Any:
    try:
        return response.json()
    except (UnicodeDecodeError, json.JSONDecodeError):
        return None
