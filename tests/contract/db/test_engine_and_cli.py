"""Engine set-up per backend and the ``reflector db`` command."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import text

from reflector_adapters.db import create_engine
from reflector_app.cli import main
from reflector_app.commands.db import URL_ENV
from reflector_core.errors import ConfigurationError


@pytest.mark.parametrize(
    "url", ["mysql://u@h/db", "sqlite:///x.db", "postgresql://u@h/db", "sqlite+aiosqlite://", "not a url"]
)
def test_unsupported_urls_are_configuration_errors(url: str) -> None:
    with pytest.raises(ConfigurationError):
        create_engine(url)


async def test_sqlite_connections_enforce_foreign_keys_and_use_wal(tmp_path: Path) -> None:
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'new' / 'dir' / 'r.db'}")
    try:
        async with engine.connect() as conn:
            assert await conn.scalar(text("PRAGMA foreign_keys")) == 1
            assert await conn.scalar(text("PRAGMA journal_mode")) == "wal"
            assert await conn.scalar(text("PRAGMA busy_timeout")) == 30_000
    finally:
        await engine.dispose()
    assert (tmp_path / "new" / "dir" / "r.db").exists()


def test_db_command_upgrades_reports_and_downgrades(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'cli.db'}"
    assert main(["db", "current", "--url", url]) == 0
    assert "not migrated" in capsys.readouterr().out
    assert main(["db", "upgrade", "--url", url]) == 0
    assert main(["db", "current", "--url", url]) == 0
    # The head revision, whichever migration is newest (several are landed over time).
    assert "revision 0" in capsys.readouterr().out
    assert main(["db", "downgrade", "base", "--url", url]) == 0
    assert main(["db", "current", "--url", url]) == 0
    assert "not migrated" in capsys.readouterr().out


def test_db_command_takes_the_url_from_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv(URL_ENV, f"sqlite+aiosqlite:///{tmp_path / 'env' / 'r.db'}")
    assert main(["db", "upgrade"]) == 0
    assert (tmp_path / "env" / "r.db").exists()


def test_db_command_defaults_to_the_embedded_database(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv(URL_ENV, raising=False)
    monkeypatch.chdir(tmp_path)
    assert main(["db", "upgrade"]) == 0
    assert (tmp_path / "var" / "reflector.db").exists()


def test_db_command_reports_a_bad_url(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["db", "current", "--url", "mysql://u@h/db"]) == 2
    assert "unsupported database URL" in capsys.readouterr().err
