"""Liveness (``/health``, no I/O) and readiness (``/ready``, every configured dependency)."""

from __future__ import annotations

import asyncio
import logging

from litestar import Response, get
from litestar.di import NamedDependency

from reflector_app.container import HealthCheck, HealthChecks
from reflector_app.http.auth import PUBLIC
from reflector_app.http.openapi import body
from reflector_app.http.schemas import Health

log = logging.getLogger(__name__)

CHECK_TIMEOUT = 5.0


@get("/health", tags=["health"], summary="The process answers", opt=PUBLIC)
async def health() -> Health:
    return Health("ok")


async def _run(name: str, check: HealthCheck) -> tuple[str, str | None]:
    try:
        async with asyncio.timeout(CHECK_TIMEOUT):
            await check()
    except TimeoutError:
        return name, f"no answer within {CHECK_TIMEOUT:g} s"
    except Exception as exc:  # a readiness probe reports every failure, it never raises
        log.warning("readiness check %s failed: %s", name, exc)
        return name, f"{type(exc).__name__}: {exc}"
    return name, None


@get(
    "/ready",
    tags=["health"],
    summary="Every dependency answers (503 lists those that do not)",
    opt=PUBLIC,
    responses=body(503, Health, "application/json", "Some dependency fails: each is named with its reason"),
)
async def ready(health_checks: NamedDependency[HealthChecks]) -> Response[Health]:
    results = await asyncio.gather(*(_run(n, c) for n, c in health_checks.items()))
    failures = {name: reason for name, reason in results if reason is not None}
    if failures:
        return Response(Health("unavailable", failures), status_code=503)
    return Response(Health("ok"), status_code=200)


handlers = [health, ready]
