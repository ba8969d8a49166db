"""Small helpers shared by the storage contract tests."""

from __future__ import annotations

from pathlib import Path
from uuid import uuid4

from reflector_core.ports import ObjectStorage


async def put_bytes(storage: ObjectStorage, key: str, data: bytes, work: Path, content_type: str | None = None) -> None:
    source = work / f"src-{uuid4().hex}"
    source.write_bytes(data)
    await storage.upload(key, source, content_type=content_type)
    source.unlink()


async def keys(storage: ObjectStorage, prefix: str = "") -> list[str]:
    return [info.key async for info in storage.list(prefix)]


def write_pattern(path: Path, size: int, *, chunk: int = 1024 * 1024) -> None:
    """A file of ``size`` bytes whose content depends on the offset, written without holding it in memory."""
    block = bytes(range(256)) * (chunk // 256)
    with path.open("wb") as f:
        written = 0
        while written < size:
            n = min(chunk, size - written)
            # Rotate per chunk so that misplaced parts would not compare equal.
            shift = (written // chunk) % 251
            f.write((block[shift:] + block[:shift])[:n])
            written += n
