"""Reaching the machine's real services from tests: skip when absent locally, fail in CI."""

from __future__ import annotations

import os
import socket
import uuid
from dataclasses import dataclass

import pytest


def in_ci() -> bool:
    return os.environ.get("CI", "").lower() in {"1", "true", "yes"}


def require_port(name: str, host: str, port: int) -> None:
    """Skip (or, under CI=true, fail) unless ``host:port`` accepts a TCP connection."""
    try:
        with socket.create_connection((host, port), timeout=2):
            return
    except OSError as exc:
        message = f"{name} is not reachable at {host}:{port} ({exc})"
        if in_ci():
            pytest.fail(f"{message}; CI requires it", pytrace=False)
        pytest.skip(message)


@dataclass(frozen=True)
class PgServer:
    """A PostgreSQL server on which tests and tools make throwaway databases."""

    host: str = "127.0.0.1"
    port: int = 5432
    user: str = "postgres"

    @classmethod
    def from_env(cls) -> PgServer:
        return cls(
            os.environ.get("REFLECTOR_TEST_PG_HOST", "127.0.0.1"),
            int(os.environ.get("REFLECTOR_TEST_PG_PORT", "5432")),
            os.environ.get("REFLECTOR_TEST_PG_USER", "postgres"),
        )

    @classmethod
    def parse(cls, server: str) -> PgServer:
        """``user@host:port``, each part optional."""
        user, _, hostport = server.rpartition("@")
        host, _, port = hostport.partition(":")
        return cls(host or "127.0.0.1", int(port or 5432), user or "postgres")

    def url(self, database: str) -> str:
        return f"postgresql+asyncpg://{self.user}@{self.host}:{self.port}/{database}"

    async def create_database(self, prefix: str = "reflector_test") -> str:
        import asyncpg

        name = f"{prefix}_{os.getpid()}_{uuid.uuid4().hex[:8]}"
        conn = await asyncpg.connect(host=self.host, port=self.port, user=self.user, database="postgres")
        try:
            await conn.execute(f'CREATE DATABASE "{name}"')
        finally:
            await conn.close()
        return name

    async def drop_database(self, name: str) -> None:
        import asyncpg

        conn = await asyncpg.connect(host=self.host, port=self.port, user=self.user, database="postgres")
        try:
            await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        finally:
            await conn.close()
