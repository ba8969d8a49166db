from __future__ import annotations

import subprocess
import sys

import pytest

from reflector_app.cli import main


def test_help_lists_the_program(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:
        main(["--help"])
    assert info.value.code == 0
    assert "speaker-attributed" in capsys.readouterr().out


def test_console_script_is_installed() -> None:
    exe = subprocess.run([sys.executable, "-m", "reflector_app.cli", "--help"], capture_output=True, text=True)
    assert exe.returncode == 0, exe.stderr
    assert "usage: reflector" in exe.stdout


@pytest.mark.parametrize("command", ["worker", "scheduler"])
def test_separate_processes_need_redis(
    command: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    for name in [k for k in __import__("os").environ if k.startswith("REFLECTOR_")]:
        monkeypatch.delenv(name)
    monkeypatch.chdir(__import__("tempfile").mkdtemp())
    assert main([command]) == 2
    assert "REFLECTOR_REDIS_URL" in capsys.readouterr().err


def test_bad_settings_are_one_message_and_exit_2(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("REFLECTOR_PORT", "eighty")
    monkeypatch.chdir(__import__("tempfile").mkdtemp())
    assert main(["serve"]) == 2
    assert "REFLECTOR_PORT='eighty'" in capsys.readouterr().err
