"""The transcription runs in a niced child process that never outlives the service (issue 17, intake speed)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from reflector_app.pipeline_process import PipelineProcessError, ProcessPipeline
from reflector_core.errors import TrackError
from reflector_core.processing import SourceFile
from tests.integration.harness import wait_until
from tests.unit.app.pipeline_children import echo

REPO = Path(__file__).resolve().parents[3]


@pytest.fixture
def pipeline() -> Iterator[ProcessPipeline]:
    p = ProcessPipeline(echo, nice=7)
    yield p
    p.close()


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A zombie (dead, not yet reaped by its parent) counts as gone.
    return Path(f"/proc/{pid}/stat").read_text().split(") ", 1)[1][0] != "Z"


def test_the_pipeline_runs_in_another_process_at_a_lower_priority(pipeline: ProcessPipeline, tmp_path: Path) -> None:
    seen: list[tuple[str, float, float]] = []
    sources = [SourceFile(key="a", path=tmp_path / "a"), SourceFile(key="b", path=tmp_path / "b")]
    output = pipeline(sources, tmp_path / "out", multitrack=True, progress=lambda *p: seen.append(p))

    assert [p.participant_id for p in output.participants] == ["a", "b"]
    assert seen == [("transcribe", 1, 2), ("transcribe", 2, 2)]
    child = int((tmp_path / "out" / "pid").read_text())
    assert child != os.getpid() and child == pipeline.pid
    assert os.getpriority(os.PRIO_PROCESS, child) == min(19, os.getpriority(os.PRIO_PROCESS, 0) + 7)


def test_errors_come_back_with_their_type_and_details(pipeline: ProcessPipeline, tmp_path: Path) -> None:
    with pytest.raises(TrackError) as caught:
        pipeline([SourceFile(key="fail", path=tmp_path)], tmp_path / "out", multitrack=False, progress=print)
    assert (caught.value.track, caught.value.reason, caught.value.recording_id) == ("fail", "cannot decode", "rec-1")
    # The child survives a failed call.
    first = pipeline.pid
    pipeline([SourceFile(key="a", path=tmp_path)], tmp_path / "out", multitrack=False, progress=print)
    assert pipeline.pid == first


def test_a_child_killed_mid_call_fails_the_call_as_retryable_and_the_next_call_gets_a_new_one(
    pipeline: ProcessPipeline, tmp_path: Path
) -> None:
    failure: list[BaseException] = []

    def call() -> None:
        try:
            pipeline([SourceFile(key="sleep", path=tmp_path)], tmp_path / "out", multitrack=False, progress=print)
        except BaseException as exc:
            failure.append(exc)

    caller = threading.Thread(target=call)
    caller.start()
    pid_file = tmp_path / "out" / "pid"
    wait_until(lambda: pid_file.exists() and pid_file.read_text(), timeout=120, what="the child to start the job")
    first = int(pid_file.read_text())
    os.kill(first, signal.SIGKILL)  # an OOM kill mid-transcription
    caller.join(timeout=60)
    assert [type(e) for e in failure] == [PipelineProcessError]
    pipeline([SourceFile(key="a", path=tmp_path)], tmp_path / "out2", multitrack=False, progress=print)
    assert pipeline.pid not in (None, first)
    # A child that died while idle is replaced without failing the next call.
    os.kill(int((tmp_path / "out2" / "pid").read_text()), signal.SIGKILL)
    wait_until(lambda: pipeline.pid is None, timeout=30, interval=0.1, what="the idle child to be seen dead")
    pipeline([SourceFile(key="a", path=tmp_path)], tmp_path / "out3", multitrack=False, progress=print)


def test_the_child_dies_with_its_parent_even_mid_job(tmp_path: Path) -> None:
    # A parent that starts a job that would run for ten minutes, then is SIGKILLed (OOM, kill -9).
    script = textwrap.dedent(
        f"""
        import sys
        sys.path.insert(0, {str(REPO)!r})
        from pathlib import Path
        from reflector_app.pipeline_process import ProcessPipeline
        from reflector_core.processing import SourceFile
        from tests.unit.app.pipeline_children import echo
        ProcessPipeline(echo, nice=1)([SourceFile(key="sleep", path=Path("x"))], Path({str(tmp_path / "out")!r}),
                                      multitrack=False, progress=lambda *a: None)
        """
    )
    parent = subprocess.Popen([sys.executable, "-c", script], cwd=REPO)
    try:
        pid_file = tmp_path / "out" / "pid"
        wait_until(lambda: pid_file.exists() and pid_file.read_text(), timeout=120, what="the child to start the job")
        child = int(pid_file.read_text())
        assert _alive(child)
        parent.kill()
        parent.wait(timeout=10)
        wait_until(lambda: not _alive(child), timeout=30, interval=0.1, what="the orphaned child to exit")
    finally:
        parent.kill()
