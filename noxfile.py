"""Developer tasks. Sessions run in the project's .venv (``./dev`` creates it), not in venvs of their own.

``./dev test`` = lint, typecheck, tests; ``./dev demo``; ``./dev -s bench | load | demo-service | fmt``.
"""

from __future__ import annotations

import sys
from pathlib import Path

import nox

nox.options.default_venv_backend = "none"
nox.options.sessions = ["lint", "typecheck", "tests"]

SRC = ["src", "tests", "tools", "noxfile.py"]


@nox.session
def tests(session: nox.Session) -> None:
    """The whole test suite: unit, contract and integration (real PostgreSQL, Redis, moto server)."""
    session.run(sys.executable, "-m", "pytest", *(session.posargs or ["tests"]))


@nox.session
def lint(session: nox.Session) -> None:
    session.run(sys.executable, "-m", "ruff", "check", *SRC)
    session.run(sys.executable, "-m", "ruff", "format", "--check", *SRC)
    # import-linter has no ``-m`` entry point; its script sits beside this interpreter.
    session.run(str(Path(sys.executable).parent / "lint-imports"))


@nox.session
def typecheck(session: nox.Session) -> None:
    session.run(sys.executable, "-m", "mypy")


@nox.session
def fmt(session: nox.Session) -> None:
    """Rewrite the sources with ruff's formatter and autofixes."""
    session.run(sys.executable, "-m", "ruff", "check", "--fix", *SRC)
    session.run(sys.executable, "-m", "ruff", "format", *SRC)


@nox.session
def demo(session: nox.Session) -> None:
    """Transcribe the sample meeting in examples/meeting into out/demo/ and print the text transcript."""
    tracks = sorted(str(p) for p in Path("examples/meeting/tracks").iterdir())
    out = Path("out/demo")
    participants = "examples/meeting/participants.json"
    # sys.executable: the .venv's Python, whatever PATH says (sessions have no venv of their own).
    session.run(
        sys.executable, "-m", "reflector_app.cli", "process", *tracks, "--participants", participants, "--out", str(out)
    )
    session.log("wrote %s", ", ".join(sorted(p.name for p in out.iterdir())))
    print((out / "transcript.txt").read_text(encoding="utf-8"))


@nox.session(name="demo-web")
def demo_web(session: nox.Session) -> None:
    """demo-service, then keep serving: a user "demo" and the processed sample meeting; prints the URL."""
    session.run(sys.executable, "tests/demo_service.py", "--web", *session.posargs)


@nox.session(name="demo-service")
def demo_service(session: nox.Session) -> None:
    """The whole service flow on embedded defaults: serve, drop tracks, signed webhook, wait, print."""
    session.run(sys.executable, "tests/demo_service.py", *session.posargs)


@nox.session
def bench(session: nox.Session) -> None:
    """Pipeline vs the full-track baseline on a generated 10-minute meeting (``-- --long``: 60 minutes)."""
    session.run(sys.executable, "tools/bench_pipeline.py", *session.posargs)


@nox.session(name="bench-notes")
def bench_notes(session: nox.Session) -> None:
    """Meeting notes: topic-boundary F1 and action items (offline, LLM vs an oracle fake), time on 60 minutes."""
    session.run(sys.executable, "tests/bench_notes.py", *session.posargs)


@nox.session
def load(session: nox.Session) -> None:
    """2,000 signed Daily webhooks at a local server (embedded mode); throughput, p50/p99, database check."""
    session.run(sys.executable, "tests/load_webhooks.py", *session.posargs)
