"""``reflector process TRACK... --out DIR``: transcribe a meeting from local files.

Daily raw-track files (named as Daily names them: ``{rec_ms}-{participant}-cam-audio-{track_ms}``)
give one speaker per file; a single file with any other name (a Whereby or Daily cloud MP4, an
upload) is a mixed recording: its speakers are found by diarization (``Speaker 1..N``; ``--speakers N``
when the count is known, ``--no-diarization`` for one speaker). Writes ``transcript.json``, ``.vtt``, ``.srt``, ``.txt``, ``audio.mp3``,
``waveform.json`` and ``notes.md`` into ``--out`` (``transcript.json`` also holds the notes; offline
extractive notes unless ``REFLECTOR_LLM_URL`` names an LLM, see ``reflector notes``).

``--participants FILE`` names the speakers: a JSON object mapping each Daily participant id to a
display name, e.g. ``{"5bc8fbbc-bde5-4099-8164-d8399f76a1b2": "Alice"}``.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
from pathlib import Path
from typing import Any

from reflector_core.audio_pipeline import process_multitrack, process_single_file
from reflector_core.crosstalk import CrosstalkSettings
from reflector_core.diarization import SpeakerHint
from reflector_core.errors import ConfigurationError, ReflectorError, TrackKeyError
from reflector_core.exports import json as json_export
from reflector_core.exports import srt, text, waveform, webvtt
from reflector_core.model import Participant
from reflector_core.naming import parse_daily_track_key
from reflector_core.processing import PipelineResult, ProcessingOptions, SourceFile

OUTPUTS = (
    "transcript.json",
    "transcript.vtt",
    "transcript.srt",
    "transcript.txt",
    "audio.mp3",
    "waveform.json",
    "notes.md",
)


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "process",
        help="transcribe Daily raw tracks or one mixed recording into speaker-attributed transcripts",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("tracks", nargs="+", type=Path, metavar="TRACK")
    parser.add_argument("--out", required=True, type=Path, metavar="DIR", help="output directory (created)")
    parser.add_argument(
        "--model", default="tiny.en", help="tiny.en (default), base, or a path to a CTranslate2 Whisper model"
    )
    parser.add_argument("--participants", type=Path, metavar="FILE", help="JSON object: participant id → name")
    parser.add_argument("--threads", type=int, default=None, help="CPU threads for Whisper (default: all cores)")
    parser.add_argument(
        "--model-cache", type=Path, default=None, help="where the base model is assembled (~/.cache/reflector/models)"
    )
    parser.add_argument(
        "--speakers",
        type=_positive,
        default=None,
        metavar="N",
        help="a single mixed file has exactly N speakers (default: estimated)",
    )
    parser.add_argument(
        "--language",
        default="en",
        help="en (default), another ISO 639-1 code, or auto (detected; both need --model base)",
    )
    parser.add_argument(
        "--no-diarization", action="store_true", help="a single mixed file is one speaker (skip diarization)"
    )
    parser.add_argument("--no-notes", action="store_true", help="skip the meeting notes (notes.md)")
    parser.add_argument(
        "--no-crosstalk",
        dest="crosstalk",
        action="store_false",
        help="transcribe every track as it is, other participants' voices leaking into it included",
    )
    parser.set_defaults(handler=run)


def _positive(value: str) -> int:
    try:
        n = int(value)
    except ValueError:
        n = 0
    if n < 1:
        raise argparse.ArgumentTypeError(f"expected a whole number of speakers >= 1, got {value!r}")
    return n


def _error(message: str) -> None:
    print(f"reflector process: {message}", file=sys.stderr)


def load_participants(path: Path) -> dict[str, str]:
    """``{participant id: name}`` from a JSON file; ``ConfigurationError`` naming the file otherwise."""
    try:
        data: Any = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise ConfigurationError(f"{path}: cannot read participants ({exc})") from exc
    if not isinstance(data, dict) or not all(isinstance(k, str) and isinstance(v, str) for k, v in data.items()):
        raise ConfigurationError(f'{path}: expected a JSON object {{"participant id": "name", ...}}')
    return {k.strip().lower(): v.strip() for k, v in data.items() if v.strip()}


def is_single_file(paths: list[Path]) -> bool:
    """One file that is not a Daily raw track is a mixed recording (one speaker)."""
    if len(paths) != 1:
        return False
    try:
        parse_daily_track_key(paths[0].name)
    except TrackKeyError:
        return True
    return False


class Progress:
    """A tqdm bar per stage on a terminal; nothing at all otherwise."""

    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled
        self._bar: Any = None
        self._stage: str | None = None

    def __call__(self, stage: str, done: float, total: float) -> None:
        if not self.enabled:
            return
        from tqdm import tqdm

        if stage != self._stage:
            self.close()
            unit = "s audio" if stage == "transcribe" else "step"
            self._bar = tqdm(total=round(total, 1), desc=f"{stage:<10}", unit=unit, leave=True, file=sys.stderr)
            self._stage = stage
        self._bar.total = round(total, 1)
        self._bar.n = round(done, 1)
        self._bar.refresh()

    def close(self) -> None:
        if self._bar is not None:
            self._bar.close()
            self._bar = None


def write_outputs(result: PipelineResult, out: Path, *, language: str | None = None) -> None:
    words, participants = list(result.words), list(result.participants)
    turns = result.turns
    rendered = {
        "transcript.json": json_export.render(
            words, participants, duration=result.duration, failed_tracks=result.failed_tracks, language=language
        ),
        "transcript.vtt": webvtt.render(turns, participants, language=language),
        "transcript.srt": srt.render(turns, participants),
        "transcript.txt": text.render(turns, participants),
    }
    if result.waveform is not None:
        rendered["waveform.json"] = waveform.render(result.waveform)
    for name, content in rendered.items():
        (out / name).write_text(content, encoding="utf-8")


def _names(mapping: dict[str, str]) -> Any:
    def lookup(participant_id: str) -> Participant | None:
        name = mapping.get(participant_id.lower())
        return Participant(speaker=0, participant_id=participant_id, name=name) if name else None

    return lookup


def _write_notes(out: Path) -> None:
    """Notes never fail the command: the transcript is written already; a problem is reported on stderr."""
    from reflector_app.commands.notes import llm_settings, notes_for_folder, writers_for

    try:
        _, problem = notes_for_folder(out, writers_for(llm_settings(), offline=False))
    except ReflectorError as exc:
        problem = str(exc)
    if problem:
        _error(f"notes.md not written: {problem}")


def quiet_logging() -> None:
    """A command-line run prints only errors (and a progress bar on a terminal), unless a level is asked for."""
    if "REFLECTOR_LOG_LEVEL" not in os.environ:
        logging.getLogger().setLevel(logging.WARNING)
    # faster-whisper logs every window it decodes at INFO.
    logging.getLogger("faster_whisper").setLevel(max(logging.WARNING, logging.getLogger().level))


def run(args: argparse.Namespace) -> int:
    from reflector_adapters.audio.pyav import PyAVAudioEngine
    from reflector_adapters.diarization.diarizer import EmbeddingDiarizer
    from reflector_app.pipeline import whisper_transcriber

    quiet_logging()
    try:
        names = load_participants(args.participants) if args.participants else {}
        transcriber = whisper_transcriber(
            args.model, cpu_threads=args.threads, model_cache=args.model_cache, language=args.language
        )
        transcriber.resolve()  # a bad model setting fails now, before any track is read
        audio = PyAVAudioEngine()
        diarizer = None
        if is_single_file(list(args.tracks)) and not args.no_diarization:
            diarizer = EmbeddingDiarizer()
            diarizer.load()  # so does a missing speaker encoder
        args.out.mkdir(parents=True, exist_ok=True)
    except (ConfigurationError, OSError) as exc:
        _error(str(exc))
        return 2
    progress = Progress(enabled=sys.stderr.isatty())
    mp3 = args.out / "audio.mp3"
    paths: list[Path] = list(args.tracks)
    try:
        if is_single_file(paths):
            result = process_single_file(
                SourceFile(paths[0], str(paths[0])),
                audio=audio,
                transcriber=transcriber,
                mp3_path=mp3,
                diarizer=diarizer,
                options=ProcessingOptions(speakers=SpeakerHint(exactly=args.speakers)),
                progress=progress,
            )
        else:
            result = process_multitrack(
                [SourceFile(p, str(p)) for p in paths],
                audio=audio,
                transcriber=transcriber,
                mp3_path=mp3,
                names=_names(names),
                progress=progress,
                crosstalk_settings=CrosstalkSettings() if args.crosstalk else None,
            )
    except (ReflectorError, OSError) as exc:
        progress.close()
        _error(f"{paths[0]}: {getattr(exc, 'reason', None) or exc}")
        return 1
    progress.close()
    return _finish(result, args, language=transcriber.language)


def _finish(result: PipelineResult, args: argparse.Namespace, *, language: str | None) -> int:
    """Report what failed, write the outputs; the exit status."""
    for failure in result.failed_tracks:
        _error(f"{failure.track}: {failure.reason}")
    for skipped in result.skipped:
        _error(f"{skipped.track}: skipped, {skipped.reason}")
    if result.failed_tracks and len(result.failed_tracks) == len(result.participants):
        return 1  # nothing was transcribed: no transcript is better than an empty one
    write_outputs(result, args.out, language=language)
    if not args.no_notes:
        _write_notes(args.out)
    if result.mixdown_error is not None:
        _error(f"audio.mp3 not written: {result.mixdown_error}")
    if sys.stderr.isatty():
        print(f"{len(result.words)} words, {len(result.participants)} speakers → {args.out}", file=sys.stderr)
    return 1 if result.failed_tracks or result.mixdown_error else 0
