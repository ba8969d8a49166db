"""``reflector user create NAME`` against a real (SQLite) database: password from stdin, argon2 hash stored."""

from __future__ import annotations

import asyncio
import io
from pathlib import Path

import pytest
from sqlalchemy import select

from reflector_adapters.db import create_engine, unit_of_work_factory
from reflector_adapters.db.tables import app_user
from reflector_adapters.passwords import Argon2Hasher
from reflector_app.cli import main
from reflector_core.errors import AuthenticationError
from reflector_core.throttle import LoginThrottle
from reflector_core.usecases.accounts import sign_in


class _Clock:
    def now(self):  # type: ignore[no-untyped-def]
        from datetime import UTC, datetime

        return datetime.now(UTC)


def _sign_in(url: str, name: str, password: str) -> str:
    async def run() -> str:
        engine = create_engine(url)
        try:
            user = await sign_in(
                name,
                password,
                client="test",
                unit_of_work=unit_of_work_factory(engine),
                hasher=Argon2Hasher(),
                throttle=LoginThrottle(),
                clock=_Clock(),
            )
            return user.owner
        finally:
            await engine.dispose()

    return asyncio.run(run())


def test_create_reads_the_password_from_stdin(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'r.db'}"
    assert main(["db", "upgrade", "--url", url]) == 0
    monkeypatch.setattr("sys.stdin", io.StringIO("s3cret-password\n"))
    assert main(["user", "create", "ana", "--url", url]) == 0
    assert "created user 'ana'" in capsys.readouterr().out
    assert _sign_in(url, "ana", "s3cret-password") == "ana"
    with pytest.raises(AuthenticationError):
        _sign_in(url, "ana", "s3cret-passwore")

    async def stored() -> str:
        engine = create_engine(url)
        try:
            async with engine.connect() as conn:
                return str((await conn.execute(select(app_user.c.password_hash))).scalar_one())
        finally:
            await engine.dispose()

    assert asyncio.run(stored()).startswith("$argon2id$")

    monkeypatch.setattr("sys.stdin", io.StringIO("another-password\n"))
    assert main(["user", "create", "ana", "--url", url]) == 1
    assert "username taken" in capsys.readouterr().err
    monkeypatch.setattr("sys.stdin", io.StringIO("short\n"))
    assert main(["user", "create", "bo", "--url", url]) == 1
    assert "password must be" in capsys.readouterr().err
