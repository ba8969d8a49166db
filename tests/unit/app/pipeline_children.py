"""Pipelines the tests of ``ProcessPipeline`` run in its child process (importable there: module level)."""

from __future__ import annotations

import os
import time
from collections.abc import Sequence
from pathlib import Path

from reflector_core.errors import TrackError
from reflector_core.model import Participant
from reflector_core.ports import Pipeline, ProgressCallback
from reflector_core.processing import PipelineResult, ProcessingOptions, SourceFile


class EchoPipeline:
    """Reports progress, writes its pid into the work folder, and answers with one participant per source."""

    def __call__(
        self,
        sources: Sequence[SourceFile],
        workdir: Path,
        *,
        multitrack: bool,
        progress: ProgressCallback,
        options: ProcessingOptions | None = None,
    ) -> PipelineResult:
        workdir.mkdir(parents=True, exist_ok=True)
        (workdir / "pid").write_text(str(os.getpid()))
        for n, _ in enumerate(sources):
            progress("transcribe", n + 1, len(sources))
        if any(s.key == "fail" for s in sources):
            raise TrackError("fail", "cannot decode", recording_id="rec-1")
        if any(s.key == "sleep" for s in sources):
            time.sleep(600)
        participants = tuple(Participant(speaker=n, participant_id=s.key) for n, s in enumerate(sources))
        return PipelineResult(words=(), participants=participants, duration=1.5)


def echo() -> Pipeline:
    return EchoPipeline()
