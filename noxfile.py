"""Developer tasks. Sessions run in the project's .venv (``./dev`` creates it), not in venvs of their own."""

from __future__ import annotations

import nox

nox.options.default_venv_backend = "none"
nox.options.sessions = ["lint", "typecheck", "tests"]

SRC = ["src", "tests", "noxfile.py"]


@nox.session
def tests(session: nox.Session) -> None:
    """The whole test suite: unit, contract and integration (real PostgreSQL, Redis, moto server)."""
    session.run("python", "-m", "pytest", *(session.posargs or ["tests"]))


@nox.session
def lint(session: nox.Session) -> None:
    session.run("ruff", "check", *SRC)
    session.run("ruff", "format", "--check", *SRC)
    session.run("lint-imports")


@nox.session
def typecheck(session: nox.Session) -> None:
    session.run("mypy")


@nox.session
def fmt(session: nox.Session) -> None:
    """Rewrite the sources with ruff's formatter and autofixes."""
    session.run("ruff", "check", "--fix", *SRC)
    session.run("ruff", "format", *SRC)
