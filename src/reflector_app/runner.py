"""Running the service's processes: the API (with, in embedded mode, the worker and the scheduler),
a production worker, and the scheduler. Commands call these; they only wire and wait."""

from __future__ import annotations

import asyncio
import logging
import signal
import threading
from collections.abc import Awaitable, Callable
from typing import Any

import dramatiq
from dramatiq.asyncio import get_event_loop_thread
from dramatiq.middleware.asyncio import AsyncIO

from reflector_adapters.work_folders import LocalWorkFolders
from reflector_app.bootstrap import build_container, work_root
from reflector_app.container import Container
from reflector_app.settings import Settings
from reflector_app.workers.actors import Runtime, register_actors
from reflector_app.workers.broker import DramatiqQueue, make_broker
from reflector_app.workers.schedule import make_scheduler
from reflector_core.usecases.recovery import resume_after_restart

log = logging.getLogger(__name__)


class CloseAdapters(dramatiq.Middleware):
    """Closes the worker's adapters once every actor has finished, before the event loop stops.

    Added in front of Dramatiq's ``AsyncIO`` middleware so its ``after_worker_shutdown`` runs first:
    closing earlier would pull clients from under jobs still running.
    """

    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime

    def after_worker_shutdown(self, broker: dramatiq.Broker, worker: dramatiq.Worker) -> None:
        loop_thread = get_event_loop_thread()
        if loop_thread is None:
            return
        try:
            loop_thread.run_coroutine(self.runtime.aclose())
        except Exception:  # closing is best effort; the process is ending
            log.exception("closing the worker's adapters failed")


def start_worker(settings: Settings, broker: dramatiq.Broker, *, threads: int = 2) -> dramatiq.Worker:
    """Declare the actors on ``broker`` and start consuming (in threads of this process)."""
    queue = DramatiqQueue(broker)

    def build() -> Awaitable[Container]:
        return build_container(settings, queue=queue, with_pipeline=True)

    runtime = Runtime(build)
    register_actors(broker, runtime)
    broker.add_middleware(CloseAdapters(runtime), before=AsyncIO)
    worker = dramatiq.Worker(broker, worker_threads=threads)
    worker.start()
    return worker


async def serve(settings: Settings, *, app_factory: Callable[[Container], Any]) -> None:
    """The HTTP API; in embedded mode (no Redis) also the worker and the scheduler, in this process."""
    import uvicorn

    from reflector_app.http.slow_clients import uvicorn_options

    broker = make_broker(settings)
    queue = DramatiqQueue(broker)
    container = await build_container(settings, queue=queue)
    worker: dramatiq.Worker | None = None
    scheduler = None
    if settings.embedded:
        await _recover_embedded(container)
        worker = start_worker(settings, broker)
        scheduler = make_scheduler(settings, queue)
        scheduler.start()
        log.info("embedded mode: worker and scheduler run in this process")
    try:
        config = uvicorn.Config(
            app_factory(container),
            host=settings.http.host,
            port=settings.http.port,
            log_level="info",
            **uvicorn_options(settings.http.request_read_timeout_seconds),
        )
        await uvicorn.Server(config).serve()
    finally:
        if scheduler is not None:
            scheduler.shutdown(wait=False)
        if worker is not None:
            # Stops consuming and lets running jobs finish; CloseAdapters then closes their clients.
            await asyncio.to_thread(worker.stop)
        await container.aclose()


async def _recover_embedded(container: Container) -> None:
    """The in-process queue died with the last process: sweep its jobs' folders and enqueue its work again."""
    container.work_folders.sweep()
    await resume_after_restart(unit_of_work=container.unit_of_work, queue=container.queue, clock=container.clock)


def run_worker(settings: Settings, *, threads: int) -> None:
    """A production worker: consumes Redis until SIGINT/SIGTERM."""
    # Folders of jobs killed on this machine (no live job holds them) go before any new job starts.
    LocalWorkFolders(work_root(settings)).sweep()
    broker = make_broker(settings)
    worker = start_worker(settings, broker, threads=threads)
    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    log.info("worker started with %d threads", threads)
    stop.wait()
    worker.stop()


async def run_scheduler(settings: Settings) -> None:
    """Enqueues the periodic jobs; run exactly one per deployment."""
    queue = DramatiqQueue(make_broker(settings))
    scheduler = make_scheduler(settings, queue)
    scheduler.start()
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    await stop.wait()
    scheduler.shutdown(wait=False)
