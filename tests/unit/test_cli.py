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
