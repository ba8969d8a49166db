"""Reaching the machine's real services from tests: skip when absent locally, fail in CI."""

from __future__ import annotations

import os
import socket

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
