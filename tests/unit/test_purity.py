"""The core must stay pure: importing all of it pulls in no I/O library or framework."""

from __future__ import annotations

import pkgutil
import subprocess
import sys

import reflector_core

FORBIDDEN = [
    "httpx", "sqlalchemy", "av", "litestar", "dramatiq", "aiobotocore", "botocore",
    "faster_whisper", "ctranslate2", "redis", "numpy", "asyncpg", "aiosqlite",
    "reflector_adapters", "reflector_app",
]  # fmt: skip


def test_importing_every_core_module_pulls_in_no_io_library() -> None:
    modules = [m.name for m in pkgutil.walk_packages(reflector_core.__path__, "reflector_core.")]
    assert "reflector_core.ports" in modules and "reflector_core.exports.webvtt" in modules
    code = (
        "import importlib, sys\n"
        f"for m in {modules!r}: importlib.import_module(m)\n"
        f"bad = sorted({{n.split('.')[0] for n in sys.modules}} & set({FORBIDDEN!r}))\n"
        "print(','.join(bad))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "", f"reflector_core imported {out.stdout.strip()}"


def test_the_check_would_see_a_forbidden_import() -> None:
    # Guard against a test that cannot fail: the same probe does see a module that is imported.
    code = "import sys, json\nprint('json' in {n.split('.')[0] for n in sys.modules})"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "True"
