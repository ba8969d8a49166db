"""``reflector apikey create|revoke`` against a real (SQLite) database: the key works, is stored hashed, dies."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from sqlalchemy import select

from reflector_adapters.db import create_engine, unit_of_work_factory
from reflector_adapters.db.tables import api_key
from reflector_app.cli import main
from reflector_core import apikeys
from reflector_core.errors import AuthenticationError
from reflector_core.usecases.api_keys import authenticate


def _authenticate(url: str, key: str) -> str:
    async def run() -> str:
        engine = create_engine(url)
        try:
            return await authenticate(key, unit_of_work=unit_of_work_factory(engine))
        finally:
            await engine.dispose()

    return asyncio.run(run())


def _rows(url: str) -> list[dict[str, object]]:
    async def run() -> list[dict[str, object]]:
        engine = create_engine(url)
        try:
            async with engine.connect() as conn:
                return [dict(r) for r in (await conn.execute(select(api_key))).mappings()]
        finally:
            await engine.dispose()

    return asyncio.run(run())


@pytest.fixture
def url(tmp_path: Path) -> str:
    url = f"sqlite+aiosqlite:///{tmp_path / 'keys.db'}"
    assert main(["db", "upgrade", "--url", url]) == 0
    return url


def test_create_prints_a_working_key_once_and_stores_only_its_hash(
    url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    capsys.readouterr()
    assert main(["apikey", "create", "--owner", "ana", "--url", url]) == 0
    out, err = capsys.readouterr()
    key = out.strip()
    key_id = apikeys.key_id_of(key)
    assert key_id in err and key not in err
    assert _authenticate(url, key) == "ana"
    [row] = _rows(url)
    assert (row["id"], row["owner"], row["key_hash"], row["revoked"]) == (key_id, "ana", apikeys.hash_key(key), False)
    assert all(key not in str(v) and key.removeprefix("rk_").split("_", 1)[1] not in str(v) for v in row.values())


def test_revoke_stops_the_key(url: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["apikey", "create", "--owner", "ana", "--url", url]) == 0
    key = capsys.readouterr().out.strip()
    assert main(["apikey", "revoke", apikeys.key_id_of(key), "--url", url]) == 0
    assert "revoked" in capsys.readouterr().out
    with pytest.raises(AuthenticationError):
        _authenticate(url, key)
    # A second revocation, or an unknown id, is an error rather than a silent success.
    assert main(["apikey", "revoke", apikeys.key_id_of(key), "--url", url]) == 1
    assert main(["apikey", "revoke", "0123456789ab", "--url", url]) == 1
    assert "not found" in capsys.readouterr().err


def test_bad_owner_and_unmigrated_database(tmp_path: Path, url: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["apikey", "create", "--owner", "  ", "--url", url]) == 1
    assert _rows(url) == []
    fresh = f"sqlite+aiosqlite:///{tmp_path / 'fresh.db'}"
    assert main(["apikey", "create", "--owner", "ana", "--url", fresh]) == 2
    assert "reflector db upgrade" in capsys.readouterr().err
