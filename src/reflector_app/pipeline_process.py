"""The worker's CPU stage in a child process at a lower CPU priority, so a transcription cannot starve the API.

In embedded mode the worker runs inside ``reflector serve``: run in a thread of that process, Whisper,
decoding and the mix compete with the web requests for the interpreter lock and, at the same priority,
for the cores. Here the pipeline runs in one long-lived child process (``spawn``; it loads the model
once) whose niceness is raised by ``REFLECTOR_PIPELINE_NICE``: the kernel then gives the API's
process the cores whenever it wants them, and the parent's interpreter only waits on a pipe.

The child never outlives its parent: a thread in it blocks on a pipe whose only writer is the parent,
and leaves the moment the parent's end closes (also when the parent is SIGKILLed), so a killed
service's restart never finds an orphan still writing into a work folder. A child that dies (OOM kill)
fails the running call with ``PipelineProcessError`` (transient: the job is retried) and the next call
starts a fresh one.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import pickle
import threading
from collections.abc import Callable, Sequence
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from pathlib import Path
from typing import Any

from reflector_app.settings import Settings
from reflector_core.errors import ReflectorError
from reflector_core.ports import Pipeline, ProgressCallback
from reflector_core.processing import PipelineResult, ProcessingOptions, SourceFile

log = logging.getLogger(__name__)


class PipelineProcessError(ReflectorError):
    """The pipeline's child process died or answered nonsense: worth retrying (a fresh child starts)."""


def _freeze(exc: BaseException) -> tuple[type[BaseException], tuple[Any, ...], dict[str, Any]] | str:
    """An exception as picklable parts (our errors' ``__init__`` signatures differ from their ``args``)."""
    parts = (type(exc), exc.args, dict(vars(exc)))
    try:
        pickle.loads(pickle.dumps(parts))
    except Exception:
        return f"{type(exc).__name__}: {exc}"
    return parts


def _thaw(frozen: tuple[type[BaseException], tuple[Any, ...], dict[str, Any]] | str) -> BaseException:
    if isinstance(frozen, str):
        return PipelineProcessError(f"the pipeline failed: {frozen}")
    cls, args, attributes = frozen
    exc = cls.__new__(cls)
    exc.args = args
    vars(exc).update(attributes)
    return exc


def _exit_with_parent(lifeline: Connection) -> None:
    try:
        lifeline.recv()
    except (EOFError, OSError):
        pass
    os._exit(1)  # the parent is gone: no clean-up, its work folder is swept by the next start-up


PipelineFactory = Callable[[], Pipeline]
"""Builds the pipeline in the child; must pickle (a module-level function or a ``functools.partial`` of one)."""


def configured_pipeline(settings: Settings) -> Pipeline:
    """The settings' pipeline (``functools.partial`` it for ``ProcessPipeline``); imports Whisper in the child only."""
    from reflector_app.pipeline import build_pipeline

    return build_pipeline(settings)


def _child(conn: Connection, lifeline: Connection, factory: PipelineFactory, nice: int) -> None:
    """The child's main loop: one request at a time, progress and the result back over ``conn``."""
    threading.Thread(target=_exit_with_parent, args=(lifeline,), daemon=True, name="lifeline").start()
    if nice:
        os.nice(nice)  # before any thread of the model exists, so all of them inherit it
    pipeline = factory()

    def progress(stage: str, done: float, total: float) -> None:
        conn.send(("progress", stage, done, total))

    while True:
        try:
            request = conn.recv()
        except EOFError:
            return
        if request[0] == "stop":
            return
        _, sources, workdir, multitrack, options = request
        try:
            output = pipeline(sources, workdir, multitrack=multitrack, progress=progress, options=options)
        except Exception as exc:
            conn.send(("error", _freeze(exc)))
        else:
            conn.send(("done", output))


class ProcessPipeline:
    """``Pipeline`` whose work runs in a niced child process (started on first use, restarted after a death)."""

    def __init__(self, factory: PipelineFactory, *, nice: int) -> None:
        self._factory = factory
        self._nice = nice
        self._lock = threading.Lock()  # one call at a time: the child runs one pipeline
        self._process: BaseProcess | None = None
        self._conn: Connection | None = None
        self._lifeline: Connection | None = None

    @property
    def pid(self) -> int | None:
        """The child's process id while one runs (tests and the log use it)."""
        return self._process.pid if self._process is not None and self._process.is_alive() else None

    def _start(self) -> Connection:
        context = multiprocessing.get_context("spawn")
        conn, child_conn = context.Pipe()
        lifeline_reader, lifeline = context.Pipe(duplex=False)
        process = context.Process(
            target=_child,
            args=(child_conn, lifeline_reader, self._factory, self._nice),
            name="reflector-pipeline",
            daemon=True,
        )
        process.start()
        # Only the child may hold these ends: the parent's recv sees EOF when the child dies, and the
        # child's lifeline sees EOF when the parent dies.
        child_conn.close()
        lifeline_reader.close()
        self._process, self._conn, self._lifeline = process, conn, lifeline
        log.info("pipeline process %s started (nice +%d)", process.pid, self._nice)
        return conn

    def _discard(self) -> int | None:
        process, self._process = self._process, None
        for end in (self._conn, self._lifeline):
            if end is not None:
                end.close()
        self._conn = self._lifeline = None
        if process is None:
            return None
        process.join(timeout=5)
        if process.is_alive():
            process.kill()
            process.join(timeout=5)
        return process.exitcode

    def __call__(
        self,
        sources: Sequence[SourceFile],
        workdir: Path,
        *,
        multitrack: bool,
        progress: ProgressCallback,
        options: ProcessingOptions | None = None,
    ) -> PipelineResult:
        with self._lock:
            if self._process is not None and not self._process.is_alive():
                log.warning("pipeline process exited (code %s) while idle; starting another", self._discard())
            conn = self._conn if self._conn is not None else self._start()
            try:
                conn.send(("run", list(sources), workdir, multitrack, options))
                return self._answer(conn, progress)
            except (EOFError, OSError) as exc:
                code = self._discard()
                raise PipelineProcessError(f"the pipeline process died (exit code {code})") from exc

    def _answer(self, conn: Connection, progress: ProgressCallback) -> PipelineResult:
        while True:
            message = conn.recv()
            if message[0] == "progress":
                progress(*message[1:])
            elif message[0] == "done":
                output: PipelineResult = message[1]
                return output
            else:
                raise _thaw(message[1])

    def close(self) -> None:
        """Stop the child (after its current call, which holds the lock)."""
        with self._lock:
            if self._conn is not None:
                try:
                    self._conn.send(("stop",))
                except OSError:
                    pass
            self._discard()
