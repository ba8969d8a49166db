"""SQS on moto's server over real HTTP, and the recorded S3 event fixtures."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tests.moto_server import aio_session, moto_server, sqs_queue  # noqa: F401

FIXTURES = Path(__file__).parent.parent / "fixtures" / "sqs"


def load_fixture(name: str) -> Any:
    return json.loads((FIXTURES / name).read_text())


def expected() -> dict[str, dict[str, str]]:
    data: dict[str, dict[str, str]] = load_fixture("_expected.json")
    return data
