"""The CPU stage of processing a recording, on local files: tracks in, speaker-attributed words out.

Multitrack (Daily raw tracks): probe every track → read all tracks side by side, removing the
regions where a track only carries another participant's voice (crosstalk) → transcribe each
participant's speech on its own, so every word already carries its speaker → merge into turns; one
MP3 is mixed meanwhile. One unreadable track becomes a ``TrackFailure``; the others are still
transcribed and mixed.

Single file (a Whereby or Daily cloud MP4, an upload): the one decode of the file feeds both the
transcriber and a diarization session; each word then goes to the speaker whose turns cover most
of it, and the speakers who kept words are ``Speaker 1..N``. Without a diarizer (or with
``ProcessingOptions.diarize`` off) every word is one speaker's.

Written against ports only: the audio engine, the transcriber, the diarizer and a progress callback.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from attrs import evolve

from reflector_core.crosstalk import CrosstalkSettings, CrosstalkSpan
from reflector_core.diarization import attribute, listened
from reflector_core.errors import ReflectorError, TrackKeyError
from reflector_core.meeting_audio import MeetingAudioEvent, SpeakerChunk, TrackBreak, TrackChunk
from reflector_core.model import Participant, TrackFailure, Word
from reflector_core.naming import DailyTrackKey, in_speaker_order, parse_daily_track_key
from reflector_core.ports import AudioEngine, Diarizer, MixInput, ProgressCallback, Transcriber, Waveform
from reflector_core.processing import PipelineResult, ProcessingOptions, SkippedTrack, SourceFile
from reflector_core.timeline import PcmChunk, TrackTimeline
from reflector_core.turns import sort_words

log = logging.getLogger(__name__)

SAMPLE_RATE = 16_000
DEFAULT_CROSSTALK = CrosstalkSettings()
MAX_CHUNK = 30.0

# Stage names reported through ``ProgressCallback``, in the order they run.
PROBE = "probe"
TRANSCRIBE = "transcribe"
DIARIZE = "diarize"
MIXDOWN = "mixdown"
STAGES = (PROBE, TRANSCRIBE, DIARIZE, MIXDOWN)

# What a port may raise for one bad file: the adapter's own errors, or the OS refusing to read it.
TRACK_ERRORS: tuple[type[Exception], ...] = (ReflectorError, OSError)

NamesLookup = Callable[[str], Participant | None]
"""Any function from participant id to a ``Participant`` (``--participants``, the platform's names)."""


def order_tracks(
    files: Sequence[SourceFile], names: NamesLookup | None = None
) -> tuple[list[SourceFile], list[SkippedTrack]]:
    """Each speech track with its participant (speaker index, id, name), in speaker order.

    Daily-named tracks come in the one speaker order (``naming.in_speaker_order``), whatever order
    the files arrive in, so a recording numbers its speakers the same way in the worker and in
    ``reflector process``. Files without a Daily name come after them, in the order given. Video and
    screen-share tracks are skipped.
    """
    daily: list[tuple[SourceFile, DailyTrackKey]] = []
    other: list[SourceFile] = []
    skipped: list[SkippedTrack] = []
    for f in files:
        try:
            parsed = parse_daily_track_key(f.key)
        except TrackKeyError:
            other.append(f)
            continue
        if parsed.is_speech_audio:
            daily.append((f, parsed))
        else:
            skipped.append(SkippedTrack(f.key, f"{parsed.source} {parsed.media.value} is not a microphone track"))
    ordered = [
        evolve(f, participant=_named(i, p.participant_id, names), filename_offset=p.filename_offset)
        for i, (f, p) in enumerate(in_speaker_order(daily))
    ]
    ordered += [evolve(f, participant=Participant(speaker=len(ordered) + i)) for i, f in enumerate(other)]
    return ordered, skipped


def _speaking(files: Sequence[SourceFile], names: NamesLookup | None) -> tuple[list[SourceFile], list[SkippedTrack]]:
    """The tracks as given when each carries its participant (the caller ordered them), else ordered here."""
    given = [f.participant is not None for f in files]
    if all(given):
        return list(files), []
    if any(given):
        raise ValueError("either every track carries its participant or none does (order_tracks assigns them)")
    return order_tracks(files, names)


def _speaker(track: SourceFile) -> Participant:
    if track.participant is None:  # ``_speaking`` made sure of it
        raise ValueError(f"{track.key}: a raw track needs its participant")
    return track.participant


def _probe(
    tracks: Sequence[SourceFile], audio: AudioEngine, failures: list[TrackFailure], report: ProgressCallback
) -> dict[int, TrackTimeline]:
    """Each track's timeline by speaker; an unreadable track becomes a failure."""
    timelines: dict[int, TrackTimeline] = {}
    report(PROBE, 0, len(tracks))
    for done, t in enumerate(tracks, start=1):
        try:
            timelines[_speaker(t).speaker] = audio.probe(t.path, filename_offset=t.filename_offset).timeline
        except TRACK_ERRORS as exc:
            failures.append(_failure(t, exc))
        report(PROBE, done, len(tracks))
    return timelines


def process_multitrack(
    files: Sequence[SourceFile],
    *,
    audio: AudioEngine,
    transcriber: Transcriber,
    mp3_path: Path,
    names: NamesLookup | None = None,
    progress: ProgressCallback | None = None,
    crosstalk_settings: CrosstalkSettings | None = DEFAULT_CROSSTALK,
) -> PipelineResult:
    """Transcribe each participant's track, merge the words, mix one MP3 (see the module docstring).

    Files that carry their participant keep its speaker index (``process_recording`` ordered them);
    files without are ordered and named here (``order_tracks`` with ``names``).
    ``crosstalk_settings=None`` transcribes every track as it is, other participants' voices included.
    """
    report = progress or _no_progress
    tracks, skipped = _speaking(files, names)
    failures: list[TrackFailure] = []

    timelines = _probe(tracks, audio, failures, report)

    # The mixdown runs beside the transcription: Whisper's greedy decoding keeps about one core busy
    # and the mixdown needs one, so on a small machine this hides most of the mixdown's time. Every
    # probed track is mixed; one that breaks later is silence from there on (the engine's contract).
    readable = [t for t in tracks if _speaker(t).speaker in timelines]
    mixable = [MixInput(t.path, timelines[_speaker(t).speaker]) for t in readable]
    crosstalk: list[CrosstalkSpan] = []
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="mixdown") as pool:
        mixing = pool.submit(_mixdown, audio, mixable, mp3_path)
        total = sum(sum(s.duration for s in tl.present()) for tl in timelines.values())
        counter = _Counter(TRANSCRIBE, total, report)
        report(TRANSCRIBE, 0, total)
        words: list[Word] = []
        if mixable:
            # All tracks are read side by side, once: crosstalk is judged across them while decoding.
            events = audio.meeting_speech(
                mixable, sample_rate=SAMPLE_RATE, max_chunk=MAX_CHUNK, crosstalk=crosstalk_settings
            )
            chunks = _speaker_chunks(events, readable, failures, crosstalk, counter)
            words = transcriber.transcribe_speakers(chunks)
        # Broken tracks stop early: the bar still reaches its end.
        counter.advance_to(total)
        report(MIXDOWN, 0, 1)
        mp3, waveform, mix_error = mixing.result()
        report(MIXDOWN, 1, 1)
    return PipelineResult(
        words=tuple(sort_words(words)),
        participants=tuple(_speaker(t) for t in tracks),
        duration=_duration(list(timelines.values()), waveform),
        failed_tracks=tuple(failures),
        skipped=tuple(skipped),
        mp3_path=mp3,
        waveform=waveform,
        mixdown_error=mix_error,
        crosstalk=tuple(crosstalk),
    )


def process_single_file(
    file: SourceFile,
    *,
    audio: AudioEngine,
    transcriber: Transcriber,
    mp3_path: Path,
    diarizer: Diarizer | None = None,
    options: ProcessingOptions | None = None,
    progress: ProgressCallback | None = None,
) -> PipelineResult:
    """One mixed recording (Whereby or Daily cloud MP4, an upload): diarized when a diarizer is given.

    Raises the adapter's error (``UnreadableMediaError``) when the file cannot be read at all: with a
    single input there is nothing else to save.
    """
    report = progress or _no_progress
    report(PROBE, 0, 1)
    timeline = audio.probe(file.path, filename_offset=None).timeline
    # A mixed file's own start stamp is not a position in any meeting: its first sample is 0.
    timeline = TrackTimeline(
        offset=0.0, duration=timeline.duration, gaps=tuple(g.shifted(-timeline.offset) for g in timeline.gaps)
    )
    report(PROBE, 1, 1)
    total = sum(s.duration for s in timeline.present())
    counter = _Counter(TRANSCRIBE, total, report)
    report(TRANSCRIBE, 0, total)
    opts = options or ProcessingOptions()
    session = diarizer.session() if diarizer is not None and opts.diarize else None
    chunks = audio.speech_audio(file.path, timeline, sample_rate=SAMPLE_RATE, max_chunk=MAX_CHUNK)
    if session is not None:
        chunks = listened(chunks, session)
    words = transcriber.transcribe(counter.through(chunks), speaker=0)
    counter.advance_to(total)
    participants: tuple[Participant, ...] = (Participant(speaker=0),)
    if session is not None:
        report(DIARIZE, 0, 1)
        words, participants = attribute(words, session.finish(opts.speakers))
        report(DIARIZE, 1, 1)
    report(MIXDOWN, 0, 1)
    mp3, waveform, mix_error = _mixdown(audio, [MixInput(file.path, timeline)], mp3_path)
    report(MIXDOWN, 1, 1)
    return PipelineResult(
        words=tuple(sort_words(words)),
        participants=participants,
        duration=_duration([timeline], waveform),
        mp3_path=mp3,
        waveform=waveform,
        mixdown_error=mix_error,
    )


def _speaker_chunks(
    events: Iterable[MeetingAudioEvent],
    tracks: Sequence[SourceFile],
    failures: list[TrackFailure],
    crosstalk: list[CrosstalkSpan],
    counter: _Counter,
) -> Iterator[SpeakerChunk]:
    """The engine's events (track indexes) as the transcriber's speaker chunks; the rest is recorded."""
    for event in events:
        if isinstance(event, TrackChunk):
            yield SpeakerChunk(_speaker(tracks[event.track]).speaker, event.chunk)
            counter.advance_to(counter.done + event.chunk.duration)
        elif isinstance(event, TrackBreak):
            failures.append(TrackFailure(track=tracks[event.track].key, reason=event.reason))
        else:
            speaker = _speaker(tracks[event.track]).speaker
            span = evolve(event, track=speaker, source=_speaker(tracks[event.source]).speaker)
            crosstalk.append(span)
            log.info(
                "crosstalk: speaker %d %.2f-%.2f s is speaker %d's voice (not transcribed): "
                "%.1f dB louder there relative to each one's speech level, correlation %.2f at %.1f ms",
                span.track,
                span.start,
                span.end,
                span.source,
                span.dominance_db,
                span.correlation,
                span.delay * 1000,
            )


def _mixdown(
    audio: AudioEngine, inputs: list[MixInput], mp3_path: Path
) -> tuple[Path | None, Waveform | None, str | None]:
    # The transcript is the product; a mixdown failure is recorded, never allowed to lose the words.
    if not inputs:
        return None, None, "no readable track to mix"
    try:
        waveform = audio.mixdown(inputs, mp3_path)
    except TRACK_ERRORS as exc:
        return None, None, str(exc)
    return mp3_path, waveform, None


def _named(speaker: int, participant_id: str, names: NamesLookup | None) -> Participant:
    found = names(participant_id) if names is not None else None
    return Participant(
        speaker=speaker,
        participant_id=participant_id,
        name=found.name if found else None,
        user_id=found.user_id if found else None,
    )


def _failure(file: SourceFile, exc: Exception) -> TrackFailure:
    # A ``TrackError`` names the file in its message; the failure already does, so keep its reason.
    reason = getattr(exc, "reason", None) if isinstance(exc, ReflectorError) else None
    return TrackFailure(track=file.key, reason=reason if isinstance(reason, str) else str(exc) or type(exc).__name__)


def _duration(timelines: Sequence[TrackTimeline], waveform: Waveform | None) -> float:
    end = max((tl.end for tl in timelines), default=0.0)
    return max(end, waveform.duration if waveform is not None else 0.0)


def _no_progress(_stage: str, _done: float, _total: float) -> None:
    return None


class _Counter:
    """Counts seconds of audio handed to the transcriber, reporting as chunks are consumed."""

    def __init__(self, stage: str, total: float, report: ProgressCallback) -> None:
        self.stage = stage
        self.total = total
        self.done = 0.0
        self._report = report

    def through(self, chunks: Iterable[PcmChunk]) -> Iterator[PcmChunk]:
        for chunk in chunks:
            yield chunk
            self.advance_to(self.done + chunk.duration)

    def advance_to(self, done: float) -> None:
        self.done = min(max(done, self.done), self.total)
        self._report(self.stage, self.done, self.total)
