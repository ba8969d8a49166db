"""``reflector inspect TRACK...``: where each track sits on the meeting timeline, and where it carries
another track's voice (crosstalk), as JSON lines."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from reflector_core.crosstalk import CrosstalkSettings, CrosstalkSpan
from reflector_core.errors import ReflectorError, TrackKeyError
from reflector_core.naming import parse_daily_track_key
from reflector_core.ports import AudioEngine
from reflector_core.timeline import MixInput, TrackProbe


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "inspect",
        help="print each track's offsets, timeline duration, gaps and crosstalk as JSON (one line per track)",
        description="Probe audio tracks; with several tracks, also read them side by side and list, per track, "
        "the regions that are another track's voice (crosstalk_from). Daily raw-track file names also give the "
        "participant id and the file name offset, printed next to the container's own offset.",
    )
    parser.add_argument("tracks", nargs="+", type=Path, metavar="TRACK")
    parser.add_argument(
        "--no-crosstalk",
        dest="crosstalk",
        action="store_false",
        help="only probe (no decoding): skip finding where a track carries another track's voice",
    )
    parser.set_defaults(handler=run)


def describe(path: Path, probe: TrackProbe, participant_id: str | None) -> dict[str, Any]:
    tl, off = probe.timeline, probe.offsets
    return {
        "file": str(path),
        "participant_id": participant_id,
        "offset": {
            "metadata": off.metadata,
            "filename": off.filename,
            "chosen": off.chosen,
            "disagreement": None if off.disagreement is None else round(off.disagreement, 3),
        },
        "start": round(tl.offset, 3),
        "end": round(tl.end, 3),
        "duration": round(tl.duration, 3),
        "gaps": [[round(g.start, 3), round(g.end, 3)] for g in tl.gaps],
        "gap_total": round(tl.gap_total, 3),
        "codec": probe.codec,
        "sample_rate": probe.sample_rate,
        "channels": probe.channels,
    }


def run(args: argparse.Namespace) -> int:
    from reflector_adapters.audio.pyav import PyAVAudioEngine
    from reflector_app.commands.process import quiet_logging

    quiet_logging()
    engine = PyAVAudioEngine()
    status = 0
    rows: list[tuple[Path, TrackProbe, dict[str, Any]]] = []
    for path in args.tracks:
        try:
            parsed = parse_daily_track_key(path.name)
        except TrackKeyError:
            parsed = None
        try:
            probe = engine.probe(path, filename_offset=parsed.filename_offset if parsed else None)
        except (ReflectorError, OSError) as exc:
            print(f"reflector inspect: {path}: {getattr(exc, 'reason', None) or exc}", file=sys.stderr)
            status = 1
            continue
        rows.append((path, probe, describe(path, probe, parsed.participant_id if parsed else None)))
    if args.crosstalk and len(rows) > 1:
        found = crosstalk_spans(engine, [MixInput(path, probe.timeline) for path, probe, _ in rows])
        for k, (_, _, row) in enumerate(rows):
            row["crosstalk"] = [
                {
                    "start": round(s.start, 2),
                    "end": round(s.end, 2),
                    "crosstalk_from": str(rows[s.source][0]),
                    "dominance_db": s.dominance_db,
                    "correlation": s.correlation,
                    "delay_ms": round(s.delay * 1000, 1),
                }
                for s in found
                if s.track == k
            ]
    for _, _, row in rows:
        print(json.dumps(row))
    return status


def crosstalk_spans(engine: AudioEngine, inputs: list[MixInput]) -> list[CrosstalkSpan]:
    """Read the tracks side by side as ``process`` does (decoding them) and keep only the crosstalk found."""
    events = engine.meeting_speech(inputs, crosstalk=CrosstalkSettings())
    return [e for e in events if isinstance(e, CrosstalkSpan)]
