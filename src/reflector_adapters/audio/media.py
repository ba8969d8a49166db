"""Opening media files with PyAV, and turning every way that can fail into ``UnreadableMediaError``."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from fractions import Fraction
from pathlib import Path

import av
import av.container
import av.stream

from reflector_core.errors import UnreadableMediaError

MEDIA_ERRORS: tuple[type[BaseException], ...] = (av.FFmpegError, OSError, ValueError, EOFError)
"""What PyAV raises on bad input: FFmpeg errors, I/O errors, and ``ValueError`` for odd parameters."""


def track_name(path: Path) -> str:
    return path.name


@contextmanager
def open_audio(path: Path) -> Iterator[tuple[av.container.InputContainer, av.audio.stream.AudioStream]]:
    """The container and its first audio stream; any failure to open is an ``UnreadableMediaError``."""
    track = track_name(path)
    if not path.is_file():
        raise UnreadableMediaError(track, "no such file")
    if path.stat().st_size == 0:
        raise UnreadableMediaError(track, "empty file (0 bytes)")
    try:
        container = av.open(str(path), mode="r")
    except MEDIA_ERRORS as exc:
        raise UnreadableMediaError(track, f"not a readable media file: {exc}") from exc
    try:
        if not container.streams.audio:
            kinds = ", ".join(sorted({str(s.type) for s in container.streams})) or "none"
            raise UnreadableMediaError(track, f"no audio stream (streams: {kinds})")
        yield container, container.streams.audio[0]
    finally:
        container.close()


def seconds(value: int | None, time_base: Fraction | None) -> float | None:
    if value is None or time_base is None:
        return None
    return float(value * time_base)


TIMESTAMPED_FORMATS = frozenset({"matroska", "webm", "mov", "mp4", "ogg", "mpegts", "flv", "nut", "avi"})
"""Containers that store timestamps, so a raw track's can be meeting-relative. Elementary streams
(MP3, ADTS AAC, WAV, FLAC) have none: FFmpeg's start time there is decoder delay (25 ms for MP3), not
an offset."""


def has_timestamps(container: av.container.InputContainer) -> bool:
    return bool(TIMESTAMPED_FORMATS & set(container.format.name.split(",")))


def stream_origin(container: av.container.InputContainer, stream: av.stream.Stream) -> float | None:
    """Where the stream's first sample sits by its own timestamps: stream start, else container start.

    Daily writes meeting-relative timestamps, so for a raw track this is the offset on the meeting timeline.
    """
    start = seconds(stream.start_time, stream.time_base)
    if start is None and container.start_time is not None:
        start = container.start_time / av.time_base
    return start
