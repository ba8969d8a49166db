"""Domain errors → HTTP statuses, in one place.

Every body has Litestar's own error shape ``{"status_code": n, "detail": "..."}`` so clients see one
format whichever layer refused the request. Bad input is never a 500.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from litestar import MediaType, Request, Response
from litestar.exceptions import InternalServerException
from litestar.types import ExceptionHandlersMap

from reflector_app.locks import LockUnavailableError
from reflector_core.errors import (
    ConfigurationError,
    ConflictError,
    InvalidInputError,
    InvalidRangeError,
    NotFoundError,
    ObjectNotFoundError,
    PlatformError,
    PlatformUnavailableError,
    QueueError,
    StorageError,
    WebhookRejectedError,
)

log = logging.getLogger(__name__)

_CLIENT_GONE = "client disconnected prematurely"
"""What Litestar's body reader raises (as a 500) when the connection ends before the body does."""

STATUS: Mapping[type[Exception], int] = {
    NotFoundError: 404,
    ObjectNotFoundError: 404,
    ConflictError: 409,
    InvalidInputError: 422,
    InvalidRangeError: 416,
    WebhookRejectedError: 401,
    PlatformError: 502,
    PlatformUnavailableError: 503,
    StorageError: 503,
    QueueError: 503,
    ConfigurationError: 503,
    LockUnavailableError: 503,
}
"""Litestar picks the handler of the most specific class in the exception's MRO."""

# Whose message may reach the client: these name only what the caller sent or asked for.
_SHOW_MESSAGE = (NotFoundError, ConflictError, InvalidInputError, ConfigurationError)


def error_response(status: int, detail: str, headers: Mapping[str, str] | None = None) -> Response[dict[str, object]]:
    # JSON whatever the route serves: without it, Litestar would label the body with the handler's media type.
    return Response(
        {"status_code": status, "detail": detail},
        status_code=status,
        headers=dict(headers or {}),
        media_type=MediaType.JSON,
    )


def _handler(status: int) -> object:
    def handle(request: Request[Any, Any, Any], exc: Exception) -> Response[dict[str, object]]:
        if isinstance(exc, WebhookRejectedError):
            log.warning("%s %s: %s", request.method, request.url.path, exc)
            return error_response(status, "webhook signature rejected")
        if isinstance(exc, ObjectNotFoundError):
            return error_response(status, "not found")
        if isinstance(exc, _SHOW_MESSAGE):
            if status >= 500:
                log.error("%s %s: %s", request.method, request.url.path, exc)
            return error_response(status, str(exc))
        # Infrastructure failures: log the details (buckets, keys, upstream answers), answer generically.
        log.error("%s %s failed: %s", request.method, request.url.path, exc)
        return error_response(
            status, "a dependency is unavailable, try again later" if status == 503 else "upstream error"
        )

    return handle


def _unexpected(request: Request[Any, Any, Any], exc: Exception) -> Response[dict[str, object]]:
    if isinstance(exc, InternalServerException) and exc.detail == _CLIENT_GONE:
        # Not a bug: the client left mid-body (or was cut off); nobody reads this answer.
        log.info("%s %s: %s", request.method, request.url.path, _CLIENT_GONE)
        return error_response(400, _CLIENT_GONE)
    # A bug: the traceback goes to the log (Litestar logs none outside debug mode), the client learns nothing.
    log.error("%s %s: unexpected %s", request.method, request.url.path, type(exc).__name__, exc_info=exc)
    return error_response(500, "internal error")


def exception_handlers() -> ExceptionHandlersMap:
    handlers: ExceptionHandlersMap = {cls: _handler(status) for cls, status in STATUS.items()}  # type: ignore[misc]
    # Litestar routes exceptions without a status code (and its own 500s) to the handler keyed 500.
    handlers[500] = _unexpected
    return handlers
