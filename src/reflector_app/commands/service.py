"""``reflector serve | worker | scheduler``."""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
from collections.abc import Callable

from reflector_app.settings import Settings, load_settings
from reflector_core.errors import ConfigurationError

Handler = Callable[[argparse.Namespace], int]


def _settings(args: argparse.Namespace) -> Settings:
    overrides = {}
    if getattr(args, "host", None):
        overrides["REFLECTOR_HOST"] = args.host
    if getattr(args, "port", None):
        overrides["REFLECTOR_PORT"] = str(args.port)
    return load_settings({**os.environ, **overrides})


def _guarded(command: str, run: Callable[[Settings], None], *, needs_redis: bool = False) -> Handler:
    """Load settings, run, and turn a configuration problem into one line on stderr and exit code 2."""

    def handler(args: argparse.Namespace) -> int:
        try:
            settings = _settings(args)
            if needs_redis and settings.embedded:
                raise ConfigurationError(
                    f"`reflector {command}` needs REFLECTOR_REDIS_URL; in embedded mode `reflector serve` runs it"
                )
            run(settings)
        except ConfigurationError as exc:
            print(f"reflector {command}: {exc}", file=sys.stderr)
            return 2
        return 0

    return handler


def _serve(settings: Settings) -> None:
    from reflector_app.http.app import create_app
    from reflector_app.runner import serve

    asyncio.run(serve(settings, app_factory=create_app))


def _worker(threads: int) -> Callable[[Settings], None]:
    def run(settings: Settings) -> None:
        from reflector_app.runner import run_worker

        run_worker(settings, threads=threads)

    return run


def _scheduler(settings: Settings) -> None:
    from reflector_app.runner import run_scheduler

    asyncio.run(run_scheduler(settings))


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("serve", help="run the HTTP API (embedded mode: also the worker and the scheduler)")
    p.add_argument("--host", help="address to listen on (default REFLECTOR_HOST or 127.0.0.1)")
    p.add_argument("--port", type=int, help="port to listen on (default REFLECTOR_PORT or 8000)")
    p.set_defaults(handler=_guarded("serve", _serve))
    w = sub.add_parser("worker", help="run Dramatiq workers on the Redis broker")
    w.add_argument("--threads", type=int, default=2, help="worker threads (default 2)")
    w.set_defaults(handler=lambda args: _guarded("worker", _worker(args.threads), needs_redis=True)(args))
    s = sub.add_parser("scheduler", help="enqueue the periodic jobs (one per deployment)")
    s.set_defaults(handler=_guarded("scheduler", _scheduler, needs_redis=True))
