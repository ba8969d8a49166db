"""Transcripts for the browser tests, written straight into a deployment's database and bucket folder.

The words, names and audio are made up here (a quiet tone as MP3 via PyAV), so the tests need no
Whisper run and can place known words at known times.
"""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import av
import numpy as np

from reflector_adapters.db import create_engine, unit_of_work_factory
from reflector_core.model import (
    Meeting,
    Participant,
    Platform,
    Recording,
    RecordingKind,
    Room,
    TranscriptStatus,
    Word,
)

TRANSCRIPT_BUCKET = "reflector-transcripts"


PIECE = 10.0


def write_mp3(path: Path, seconds: float, rate: int = 16000) -> None:
    """A soft 220 Hz tone with a slow swell, so the waveform has a shape.

    Encoded once for ``PIECE`` seconds and repeated: MP3 frames stand alone and no Xing header claims a
    length, so the copies play as one long file (a two-hour meeting costs no two-hour encode).
    """
    piece = path.with_suffix(".piece.mp3")
    _encode(piece, min(seconds, PIECE), rate)
    data = piece.read_bytes()
    piece.unlink()
    path.write_bytes(data * max(1, int(-(-seconds // PIECE))))


def _encode(path: Path, seconds: float, rate: int) -> None:
    t = np.arange(int(seconds * rate)) / rate
    signal = (0.2 * np.sin(2 * np.pi * 220 * t) * (0.5 + 0.5 * np.sin(2 * np.pi * t / 7))).astype(np.float32)
    path.parent.mkdir(parents=True, exist_ok=True)
    with av.open(str(path), "w", format="mp3", options={"write_xing": "0", "id3v2_version": "0"}) as out:
        stream = out.add_stream("mp3", rate=rate)
        stream.layout = "mono"  # type: ignore[attr-defined]
        frame_size = 1152
        for i in range(0, len(signal), frame_size):
            chunk = signal[i : i + frame_size]
            frame = av.AudioFrame.from_ndarray(chunk.reshape(1, -1), format="flt", layout="mono")
            frame.sample_rate = rate
            for packet in stream.encode(frame):
                out.mux(packet)
        for packet in stream.encode(None):
            out.mux(packet)


def spoken_words(texts: list[str], speakers: list[int], *, step: float = 0.5, turn_gap: float = 0.0) -> list[Word]:
    """One word every ``step`` seconds; a speaker change adds ``turn_gap`` seconds."""
    words, at, last = [], 0.2, speakers[0]
    for text, speaker in zip(texts, speakers, strict=True):
        if speaker != last:
            at += turn_gap
            last = speaker
        words.append(Word(f" {text}", round(at, 2), round(at + step * 0.8, 2), speaker=speaker))
        at += step
    return words


async def _seed(
    url: str,
    storage_dir: Path,
    *,
    owner: str,
    room: str,
    words: list[Word],
    participants: list[Participant],
    duration: float,
    started: datetime,
    audio: bool,
) -> str:
    engine = create_engine(url)
    uow_factory = unit_of_work_factory(engine)
    try:
        async with uow_factory() as uow:
            if await uow.rooms.get(room) is None:
                await uow.rooms.add(Room(name=room, platform=Platform.DAILY, owner=owner))
            meeting = await uow.meetings.add(
                Meeting(
                    platform=Platform.DAILY,
                    platform_meeting_id=f"pm-{room}-{started.timestamp():.0f}",
                    platform_room_name=f"{room}-{started:%Y%m%d%H%M%S}",
                    room_url="https://daily.example/r",
                    host_room_url="https://daily.example/r?host",
                    start=started,
                    end=started + timedelta(hours=1),
                    room_name=room,
                    active=False,
                )
            )
            recording, _ = await uow.recordings.upsert(
                Recording(
                    platform=Platform.DAILY,
                    platform_recording_id=f"rec-{room}-{started.timestamp():.0f}",
                    bucket="reflector-daily",
                    kind=RecordingKind.RAW_TRACKS,
                    started_at=started,
                    meeting_id=meeting.id,
                )
            )
            transcript, _ = await uow.transcripts.ensure(recording.id or "")
            tid = transcript.id or ""
            for status in (TranscriptStatus.QUEUED, TranscriptStatus.PROCESSING, TranscriptStatus.DONE):
                assert await uow.transcripts.transition(tid, status)
            folder = f"transcripts/{tid}"
            await uow.transcripts.save_result(
                transcript.__class__(
                    recording_id=recording.id or "",
                    words=tuple(words),
                    participants=tuple(participants),
                    duration=duration,
                    audio_location=f"{folder}/audio.mp3" if audio else None,
                    id=tid,
                )
            )
            await uow.commit()
    finally:
        await engine.dispose()
    if audio:
        bucket = storage_dir / TRANSCRIPT_BUCKET / folder
        write_mp3(bucket / "audio.mp3", duration)
        peaks = [round(0.2 + 0.7 * abs(np.sin(i / 9.0)), 3) for i in range(int(duration * 10))]
        (bucket / "waveform.json").write_text(
            json.dumps({"duration": duration, "peaks_per_second": 10.0, "peaks": peaks}), encoding="utf-8"
        )
    return tid


def seed_transcript(
    url: str,
    storage_dir: Path,
    *,
    owner: str,
    room: str,
    words: list[Word],
    participants: list[Participant],
    duration: float,
    started: datetime | None = None,
    audio: bool = True,
) -> str:
    """A ``done`` transcript of a new meeting in ``room`` (created for ``owner``); returns its id."""
    return asyncio.run(
        _seed(
            url,
            storage_dir,
            owner=owner,
            room=room,
            words=words,
            participants=participants,
            duration=duration,
            started=started or datetime(2026, 3, 12, 14, 0, tzinfo=UTC),
            audio=audio,
        )
    )
