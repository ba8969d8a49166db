"""``reflector notes ID|DIR``: (re)write the meeting notes of a stored transcript or an output folder.

``DIR`` is a folder written by ``reflector process``: its ``transcript.json`` gets a ``notes``
object and ``notes.md`` is (re)written beside it. ``ID`` is a transcript in the database
(``$REFLECTOR_DATABASE_URL``); its stored notes are replaced, keeping the user's edits only with
``--keep-edits``. An LLM is used when ``REFLECTOR_LLM_URL`` and ``REFLECTOR_LLM_MODEL`` are set, the
offline extractive writer otherwise (and whenever the LLM fails; the notes say which wrote them).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
from pathlib import Path

from reflector_app.settings import Settings, load_settings
from reflector_core.errors import ConfigurationError, InvalidInputError, ReflectorError
from reflector_core.exports import json as json_export
from reflector_core.exports import notes as notes_export
from reflector_core.model import MeetingNotes, Transcript, TranscriptStatus
from reflector_core.ports import NotesWriter


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "notes",
        help="write meeting notes (title, topics, summaries, action items) for a transcript",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("target", metavar="ID|DIR", help="a transcript id, or a folder written by `reflector process`")
    parser.add_argument("--keep-edits", action="store_true", help="keep the user's edits of a stored transcript")
    parser.add_argument("--offline", action="store_true", help="extractive notes only, even if an LLM is configured")
    parser.set_defaults(handler=run)


def _error(message: str) -> None:
    print(f"reflector notes: {message}", file=sys.stderr)


def llm_settings() -> Settings:
    """Only the ``REFLECTOR_LLM_*`` variables, validated as the service validates them.

    A folder run needs nothing else, so other variables (a test's, a service's) are none of its business.
    """
    return load_settings({k: v for k, v in os.environ.items() if k.startswith("REFLECTOR_LLM_")}, env_file=None)


def writers_for(settings: Settings, *, offline: bool) -> list[NotesWriter]:
    from reflector_app.notes import notes_writers

    writers = notes_writers(settings)
    return writers[-1:] if offline else writers


def notes_for_folder(folder: Path, writers: list[NotesWriter]) -> tuple[MeetingNotes | None, str | None]:
    """Add ``notes`` to ``folder/transcript.json`` and write ``folder/notes.md``; (notes, what went wrong)."""
    from reflector_core.usecases.notes import run_writers, utterances

    path = folder / "transcript.json"
    try:
        raw = path.read_text(encoding="utf-8")
        words, participants = json_export.parse(raw)
        body = json.loads(raw)
    except (OSError, UnicodeDecodeError, ReflectorError) as exc:
        raise InvalidInputError(f"{path}: {exc}") from exc
    duration = body.get("duration") if isinstance(body.get("duration"), int | float) else None
    transcript = Transcript(
        recording_id="", status=TranscriptStatus.DONE, words=tuple(words), participants=tuple(participants)
    )
    stored, _ = asyncio.run(run_writers(writers, utterances(transcript), duration))
    if stored.generated is None:
        return None, stored.error
    body["notes"] = notes_export.to_dict(stored.generated)
    path.write_text(json.dumps(body, ensure_ascii=False, indent=1), encoding="utf-8")
    (folder / "notes.md").write_text(notes_export.render_markdown(stored.generated), encoding="utf-8")
    return stored.generated, None


async def _stored(
    transcript_id: str, settings: Settings, writers: list[NotesWriter], keep_edits: bool
) -> tuple[str, bool]:
    from reflector_adapters.clock import SystemClock
    from reflector_adapters.db import create_engine, unit_of_work_factory
    from reflector_adapters.db.migrate import ensure_migrated
    from reflector_core.usecases.notes import write_notes

    engine = create_engine(settings.database.url)
    try:
        await ensure_migrated(engine)
        stored = await write_notes(
            transcript_id,
            unit_of_work=unit_of_work_factory(engine),
            writers=writers,
            clock=SystemClock(),
            keep_edits=keep_edits,
        )
    finally:
        await engine.dispose()
    shown = stored.notes
    summary = f"notes {stored.status.value}" + (f" by {shown.method}: {shown.title}" if shown else "")
    return summary + (f" ({stored.error})" if stored.error else ""), shown is not None


def run(args: argparse.Namespace) -> int:
    target = Path(args.target)
    try:
        settings = llm_settings() if target.is_dir() else load_settings()
        writers = writers_for(settings, offline=args.offline)
    except ConfigurationError as exc:
        _error(str(exc))
        return 2
    try:
        if target.is_dir():
            notes, problem = notes_for_folder(target, writers)
            if notes is None:
                _error(f"no notes: {problem}")
                return 1
            print(f"{notes.title} ({notes.method}) → {target / 'notes.md'}")
            return 0
        summary, ok = asyncio.run(_stored(args.target, settings, writers, args.keep_edits))
        print(summary)
        return 0 if ok else 1
    except ReflectorError as exc:
        _error(str(exc))
        return 1
