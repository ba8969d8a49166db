"""What Reflector writes holds participants' voices and words: files 0600, folders 0700 (issue 17, item 8)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path


def test_the_database_a_command_creates_is_private_whatever_the_umask(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("REFLECTOR_")}
    env["REFLECTOR_DATABASE_URL"] = f"sqlite+aiosqlite:///{tmp_path / 'var' / 'reflector.db'}"
    done = subprocess.run(
        [
            sys.executable,
            "-c",
            "import os, sys; os.umask(0o022); from reflector_app.cli import main; sys.exit(main())",
            "db",
            "upgrade",
        ],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    created = [p for p in (tmp_path / "var").rglob("*")]
    assert created, "nothing was created"
    for path in [tmp_path / "var", *created]:
        want = 0o700 if path.is_dir() else 0o600
        assert path.stat().st_mode & 0o777 == want, (path, oct(path.stat().st_mode))
