"""``reflector inspect TRACK...``: where each track sits on the meeting timeline, as JSON lines."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from reflector_core.errors import ReflectorError, TrackKeyError
from reflector_core.naming import parse_daily_track_key
from reflector_core.timeline import TrackProbe


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "inspect",
        help="print each track's offsets, timeline duration and gaps as JSON (one line per track)",
        description="Probe audio tracks without decoding them. Daily raw-track file names also give the "
        "participant id and the file name offset, printed next to the container's own offset.",
    )
    parser.add_argument("tracks", nargs="+", type=Path, metavar="TRACK")
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
        print(json.dumps(describe(path, probe, parsed.participant_id if parsed else None)))
    return status
