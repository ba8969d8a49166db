"""Work folders: a killed job's copies are swept and removed by consent; a live job's are left to it."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

from reflector_adapters.work_folders import LocalWorkFolders

# A job that copies a track, starts writing its MP3, and then hangs until killed.
JOB = """
import sys, time
from pathlib import Path
from reflector_adapters.work_folders import LocalWorkFolders
with LocalWorkFolders(Path(sys.argv[1])).job(sys.argv[2]) as folder:
    (folder / "in").mkdir()
    (folder / "in" / "000").write_bytes(b"opus track copy")
    (folder / "out").mkdir()
    (folder / "out" / "audio.mp3.part").write_bytes(b"ID3 partial")
    print("ready", flush=True)
    time.sleep(600)
"""


def _start_job(root: Path, tid: str) -> subprocess.Popen[str]:
    proc = subprocess.Popen([sys.executable, "-c", JOB, str(root), tid], stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None and proc.stdout.readline().strip() == "ready"
    return proc


def test_a_live_jobs_folder_is_kept_and_a_killed_jobs_folder_is_removed(tmp_path: Path) -> None:
    folders = LocalWorkFolders(tmp_path)
    live = _start_job(tmp_path, "tr-live")
    dead = _start_job(tmp_path, "tr-dead")
    try:
        os.kill(dead.pid, signal.SIGKILL)
        dead.wait(10)
        assert (tmp_path / "tr-dead" / "out" / "audio.mp3.part").exists()  # what a crash leaves
        assert not folders.discard("tr-live")  # a live job keeps its inputs
        assert folders.discard("tr-dead")
        assert not (tmp_path / "tr-dead").exists()
        assert (tmp_path / "tr-live" / "in" / "000").exists()
    finally:
        live.kill()
        live.wait(10)
    assert folders.sweep() == ["tr-live"]  # the start-up sweep after that one died too
    assert list(tmp_path.iterdir()) == []
    assert folders.discard("tr-never")


def test_a_job_starts_from_an_empty_private_folder_and_leaves_nothing(tmp_path: Path) -> None:
    folders = LocalWorkFolders(tmp_path / "work")
    (tmp_path / "work" / "tr-1" / "out").mkdir(parents=True)
    (tmp_path / "work" / "tr-1" / "out" / "audio.mp3.part").write_bytes(b"old")
    with folders.job("tr-1") as folder:
        assert [p.name for p in folder.iterdir()] == [".lock"]
        assert (folder.stat().st_mode & 0o777) == 0o700
        assert ((tmp_path / "work").stat().st_mode & 0o777) == 0o700
        assert not folders.discard("tr-1")  # held by this job
    assert not (tmp_path / "work" / "tr-1").exists()
