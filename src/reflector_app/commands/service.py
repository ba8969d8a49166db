"""``reflector serve | worker | scheduler``."""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys

from reflector_core.errors import ConfigurationError


def _settings(args: argparse.Namespace):  # type: ignore[no-untyped-def]
    from reflector_app.settings import load_settings

    overrides = {}
    if getattr(args, "host", None):
        overrides["REFLECTOR_HOST"] = args.host
    if getattr(args, "port", None):
        overrides["REFLECTOR_PORT"] = str(args.port)
    import os

    return load_settings({**os.environ, **overrides})


def _serve(args: argparse.Namespace) -> int:
    from reflector_app.http.app import create_app
    from reflector_app.runner import serve

    try:
        settings = _settings(args)
        asyncio.run(serve(settings, app_factory=create_app))
    except ConfigurationError as exc:
        print(f"reflector serve: {exc}", file=sys.stderr)
        return 2
    return 0


def _worker(args: argparse.Namespace) -> int:
    from reflector_app.runner import run_worker

    try:
        settings = _settings(args)
        if settings.embedded:
            raise ConfigurationError(
                "a separate worker needs REFLECTOR_REDIS_URL; in embedded mode `reflector serve` runs the worker"
            )
        run_worker(settings, threads=args.threads)
    except ConfigurationError as exc:
        print(f"reflector worker: {exc}", file=sys.stderr)
        return 2
    return 0


def _scheduler(args: argparse.Namespace) -> int:
    from reflector_app.runner import run_scheduler

    try:
        settings = _settings(args)
        if settings.embedded:
            raise ConfigurationError("the scheduler needs REFLECTOR_REDIS_URL; in embedded mode `serve` runs it")
        asyncio.run(run_scheduler(settings))
    except ConfigurationError as exc:
        print(f"reflector scheduler: {exc}", file=sys.stderr)
        return 2
    return 0


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("serve", help="run the HTTP API (embedded mode: also the worker and the scheduler)")
    p.add_argument("--host", help="address to listen on (default REFLECTOR_HOST or 127.0.0.1)")
    p.add_argument("--port", type=int, help="port to listen on (default REFLECTOR_PORT or 8000)")
    p.set_defaults(handler=_serve)
    w = sub.add_parser("worker", help="run Dramatiq workers on the Redis broker")
    w.add_argument("--threads", type=int, default=2, help="worker threads (default 2)")
    w.set_defaults(handler=_worker)
    s = sub.add_parser("scheduler", help="enqueue the periodic jobs (one per deployment)")
    s.set_defaults(handler=_scheduler)


logging.getLogger(__name__).addHandler(logging.NullHandler())
