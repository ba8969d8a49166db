from __future__ import annotations

import struct
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from reflector_core.audio_pipeline import (
    MIXDOWN,
    PROBE,
    TRANSCRIBE,
    order_tracks,
    process_multitrack,
    process_single_file,
)
from reflector_core.crosstalk import CrosstalkSettings, CrosstalkSpan
from reflector_core.errors import UnreadableMediaError
from reflector_core.meeting_audio import MeetingAudioEvent, SpeakerChunk, TrackBreak, TrackChunk
from reflector_core.model import Participant, Track, Word
from reflector_core.naming import speech_tracks
from reflector_core.ports import MixInput, Waveform
from reflector_core.processing import SourceFile
from reflector_core.timeline import OffsetCheck, PcmChunk, Span, TrackProbe, TrackTimeline

REC = 1773480604000
PIDS = [
    "8534f457-38d0-48ec-8f10-99c6c3e1b258",
    "8ca59966-66ce-4b36-8512-bd1311072231",
    "b8a1abcd-1a69-46c7-8da4-f9fc3c6da5d7",
]


def daily_name(pid: str, start_ms: int, kind: str = "cam-audio") -> str:
    return f"{REC}-{pid}-{kind}-{REC + start_ms}"


class FakeAudio:
    """Tracks are described by their file name: offset from the name, 10 s long, one gap."""

    def __init__(self, *, unreadable: Sequence[str] = (), breaks_mid_track: Sequence[str] = ()) -> None:
        self.unreadable = set(unreadable)
        self.breaks = set(breaks_mid_track)
        self.mixed: list[MixInput] = []
        self.fail_mixdown = False
        self.leaks: list[CrosstalkSpan] = []
        self.crosstalk_settings: CrosstalkSettings | None = None

    def probe(self, path: Path, *, filename_offset: float | None = None) -> TrackProbe:
        if path.name in self.unreadable:
            raise UnreadableMediaError(str(path), "not an audio file")
        offset = filename_offset or 0.0
        timeline = TrackTimeline(offset=offset, duration=10.0, gaps=(Span(offset + 4, offset + 6),))
        return TrackProbe(str(path), timeline, OffsetCheck(None, filename_offset, offset, None), 48000, 1, "opus")

    def speech_audio(
        self, path: Path, timeline: TrackTimeline, *, sample_rate: int = 16_000, max_chunk: float = 30.0
    ) -> Iterable[PcmChunk]:
        for span in timeline.present():
            if path.name in self.breaks and span.start > timeline.offset:
                raise UnreadableMediaError(str(path), "corrupt packet at 3.2 s")
            # Encode the track's name length in the samples so the fake transcriber can tell tracks apart.
            yield PcmChunk(span.start, sample_rate, struct.pack("<f", len(path.name)) * int(span.duration * 10))

    def meeting_speech(
        self,
        inputs: Sequence[MixInput],
        *,
        sample_rate: int = 16_000,
        max_chunk: float = 30.0,
        crosstalk: CrosstalkSettings | None = None,
    ) -> Iterator[MeetingAudioEvent]:
        self.crosstalk_settings = crosstalk
        for i, source in enumerate(inputs):
            try:
                for chunk in self.speech_audio(source.path, source.timeline, sample_rate=sample_rate):
                    yield TrackChunk(i, chunk)
            except UnreadableMediaError as exc:
                yield TrackBreak(i, exc.reason)
        yield from self.leaks

    def mixdown(self, inputs: Sequence[MixInput], mp3_path: Path, *, peaks_per_second: float = 10.0) -> Waveform:
        if self.fail_mixdown:
            raise OSError(28, "No space left on device")
        self.mixed = list(inputs)
        end = max(i.timeline.end for i in inputs)
        return Waveform(peaks=(0.5,) * int(end), peaks_per_second=1.0, duration=end)


class FakeTranscriber:
    """One word per chunk, at the chunk's start: where the word lands proves where the audio was placed."""

    def __init__(self) -> None:
        self.calls: list[int] = []
        self.language: str | None = "en"

    def use_language(self, language: str | None) -> None:
        self.language = language or "en"

    def transcribe(self, chunks: Iterable[PcmChunk], *, speaker: int) -> list[Word]:
        self.calls.append(speaker)
        return [Word(f"w{speaker}", c.start, c.start + 0.5, speaker) for c in chunks]

    def transcribe_speakers(self, chunks: Iterable[SpeakerChunk]) -> list[Word]:
        out = []
        for item in chunks:
            if item.speaker not in self.calls:
                self.calls.append(item.speaker)
            out.append(Word(f"w{item.speaker}", item.chunk.start, item.chunk.start + 0.5, item.speaker))
        return out


def run(tmp_path: Path, files: list[str], audio: FakeAudio | None = None, **kw: object):  # type: ignore[no-untyped-def]
    events: list[tuple[str, float, float]] = []
    result = process_multitrack(
        [SourceFile(tmp_path / n, n) for n in files],
        audio=audio or FakeAudio(),
        transcriber=FakeTranscriber(),
        mp3_path=tmp_path / "audio.mp3",
        progress=lambda s, d, t: events.append((s, d, t)),
        **kw,  # type: ignore[arg-type]
    )
    return result, events


def test_speakers_follow_track_start_whatever_the_argument_order(tmp_path: Path) -> None:
    names = [daily_name(PIDS[0], 7000), daily_name(PIDS[1], 500), daily_name(PIDS[2], 2000)]
    result, _ = run(tmp_path, names)
    assert [p.participant_id for p in result.participants] == [PIDS[1], PIDS[2], PIDS[0]]
    assert [p.speaker for p in result.participants] == [0, 1, 2]
    # Speaker 0 is the track that starts at 0.5 s: its first word is there.
    assert min(w.start for w in result.words if w.speaker == 0) == pytest.approx(0.5)
    assert result.words == tuple(sorted(result.words, key=lambda w: (w.start, w.end, w.speaker)))


@given(st.permutations(range(3)))
def test_speaker_numbering_is_stable_under_any_order(order: tuple[int, ...]) -> None:
    names = [daily_name(PIDS[0], 7000), daily_name(PIDS[1], 500), daily_name(PIDS[2], 500)]
    files = [SourceFile(Path(names[i]), names[i]) for i in order]
    tracks, skipped = order_tracks(files)
    assert [t.participant.participant_id for t in tracks if t.participant] == [
        PIDS[1],
        PIDS[2],
        PIDS[0],
    ]  # ties: by participant id
    assert skipped == []


@given(st.permutations(range(4)))
def test_order_tracks_numbers_speakers_like_naming_speech_tracks(order: tuple[int, ...]) -> None:
    # The worker orders by ``naming.speech_tracks``, ``reflector process`` by ``order_tracks``: one order.
    names = [daily_name(PIDS[0], 7000), daily_name(PIDS[1], 500), daily_name(PIDS[2], 500), daily_name(PIDS[0], 9)]
    tracks, _ = order_tracks([SourceFile(Path(names[i]), names[i]) for i in order])
    worker = speech_tracks([Track(names[i]) for i in order])
    assert [t.key for t in tracks] == [t.key for t, _ in worker]
    assert [t.filename_offset for t in tracks] == [parsed.filename_offset for _, parsed in worker]


def test_given_speaker_indexes_are_kept_as_the_caller_assigned_them(tmp_path: Path) -> None:
    # process_recording numbers speakers before downloading: a track that could not be downloaded
    # leaves its index unused, and the others keep theirs (and their names).
    names = [daily_name(PIDS[0], 0), daily_name(PIDS[2], 1000)]
    given = [Participant(0, PIDS[0], "Ana"), Participant(2, PIDS[2], "Cleo")]
    result = process_multitrack(
        [SourceFile(tmp_path / n, n, p, 0.0) for n, p in zip(names, given, strict=True)],
        audio=FakeAudio(),
        transcriber=FakeTranscriber(),
        mp3_path=tmp_path / "audio.mp3",
    )
    assert result.participants == tuple(given)
    assert {w.speaker for w in result.words} == {0, 2}


def test_tracks_either_all_carry_their_participant_or_none_does(tmp_path: Path) -> None:
    names = [daily_name(PIDS[0], 0), daily_name(PIDS[1], 0)]
    files = [
        SourceFile(tmp_path / names[0], names[0], Participant(0, PIDS[0])),
        SourceFile(tmp_path / names[1], names[1]),
    ]
    with pytest.raises(ValueError, match="every track carries its participant or none does"):
        process_multitrack(files, audio=FakeAudio(), transcriber=FakeTranscriber(), mp3_path=tmp_path / "a.mp3")


def test_video_and_screen_tracks_are_skipped_not_failed(tmp_path: Path) -> None:
    names = [daily_name(PIDS[0], 0), daily_name(PIDS[1], 0, "cam-video"), daily_name(PIDS[2], 0, "screen-audio")]
    result, _ = run(tmp_path, names)
    assert len(result.participants) == 1 and result.failed_tracks == ()
    assert {s.track for s in result.skipped} == set(names[1:])


def test_a_gap_stays_silent_and_words_stay_on_the_meeting_timeline(tmp_path: Path) -> None:
    result, _ = run(tmp_path, [daily_name(PIDS[0], 3000)])
    starts = [w.start for w in result.words]
    assert starts == [pytest.approx(3.0), pytest.approx(9.0)]  # present 3..7 and 9..13; gap 7..9
    assert result.duration == pytest.approx(13.0)


def test_an_unreadable_track_fails_alone(tmp_path: Path) -> None:
    names = [daily_name(PIDS[0], 0), daily_name(PIDS[1], 1000), daily_name(PIDS[2], 2000)]
    result, _ = run(tmp_path, names, FakeAudio(unreadable=[names[1]]))
    assert [(f.track, f.reason) for f in result.failed_tracks] == [(names[1], "not an audio file")]
    assert {w.speaker for w in result.words} == {0, 2}
    assert len(result.participants) == 3  # the failed speaker keeps its index and its participant
    assert result.mp3_path == tmp_path / "audio.mp3"


def test_a_track_that_breaks_mid_transcription_keeps_the_words_before(tmp_path: Path) -> None:
    names = [daily_name(PIDS[0], 0), daily_name(PIDS[1], 1000)]
    audio = FakeAudio(breaks_mid_track=[names[0]])
    result, _ = run(tmp_path, names, audio)
    assert [(f.track, f.reason) for f in result.failed_tracks] == [(names[0], "corrupt packet at 3.2 s")]
    assert {w.speaker for w in result.words} == {0, 1}
    assert [w.start for w in result.words if w.speaker == 0] == [0.0]  # the first span, before the break
    # The mix (running beside the transcription) still gets it: the engine mixes what is readable.
    assert sorted(m.path.name for m in audio.mixed) == sorted(names)
    assert result.mp3_path is not None


def test_crosstalk_spans_are_reported_by_speaker_and_the_analysis_can_be_turned_off(tmp_path: Path) -> None:
    # Given in the order 1, 0, the engine's inputs are in speaker order: index 1 is speaker 1 (PIDS[1]).
    names = [daily_name(PIDS[1], 2000), daily_name(PIDS[0], 0)]
    audio = FakeAudio()
    audio.leaks = [CrosstalkSpan(track=1, source=0, start=2.5, end=3.5, dominance_db=20, correlation=0.9, delay=0.01)]
    result, _ = run(tmp_path, names, audio)
    assert [(c.track, c.source, c.start) for c in result.crosstalk] == [(1, 0, 2.5)]
    assert result.participants[1].participant_id == PIDS[1]
    assert audio.crosstalk_settings == CrosstalkSettings()
    run(tmp_path, names, audio, crosstalk_settings=None)
    assert audio.crosstalk_settings is None


def test_files_without_a_daily_name_come_after_and_start_at_their_own_offset(tmp_path: Path) -> None:
    result, _ = run(tmp_path, ["zoom-export.m4a", daily_name(PIDS[0], 2000)])
    assert [p.participant_id for p in result.participants] == [PIDS[0], None]
    assert min(w.start for w in result.words if w.speaker == 1) == 0.0


def test_names_come_from_the_lookup(tmp_path: Path) -> None:
    known = {PIDS[0]: Participant(speaker=9, participant_id=PIDS[0], name="Alice", user_id="u1")}
    result, _ = run(tmp_path, [daily_name(PIDS[0], 0), daily_name(PIDS[1], 10)], names=known.get)
    assert result.participants[0] == Participant(speaker=0, participant_id=PIDS[0], name="Alice", user_id="u1")
    assert result.participants[1].label == "Speaker 1"


def test_progress_runs_through_every_stage_in_order_and_ends_complete(tmp_path: Path) -> None:
    names = [daily_name(PIDS[0], 0), daily_name(PIDS[1], 1000)]
    _, events = run(tmp_path, names, FakeAudio(unreadable=[names[0]]))
    stages = [s for s, _, _ in events]
    assert stages == sorted(stages, key=[PROBE, TRANSCRIBE, MIXDOWN].index)
    for stage in (PROBE, TRANSCRIBE, MIXDOWN):
        done = [(d, t) for s, d, t in events if s == stage]
        assert done[-1][0] == done[-1][1] > 0
        assert [d for d, _ in done] == sorted(d for d, _ in done)  # never goes backwards
    assert [t for s, _, t in events if s == TRANSCRIBE][-1] == pytest.approx(8.0)  # one readable track, gaps excluded


def test_a_mixdown_failure_keeps_the_words(tmp_path: Path) -> None:
    audio = FakeAudio()
    audio.fail_mixdown = True
    result, _ = run(tmp_path, [daily_name(PIDS[0], 0)], audio)
    assert result.words and result.mp3_path is None and result.waveform is None
    assert "No space left" in (result.mixdown_error or "")


def test_nothing_readable_means_no_mixdown(tmp_path: Path) -> None:
    names = [daily_name(PIDS[0], 0)]
    result, _ = run(tmp_path, names, FakeAudio(unreadable=names))
    assert result.words == () and result.mp3_path is None
    assert result.mixdown_error == "no readable track to mix"


def test_a_single_file_is_one_speaker_from_zero(tmp_path: Path) -> None:
    audio = FakeAudio()
    result = process_single_file(
        SourceFile(tmp_path / "room-2026-03-14T09:30:00Z.mp4", "room-2026-03-14T09:30:00Z.mp4"),
        audio=audio,
        transcriber=FakeTranscriber(),
        mp3_path=tmp_path / "audio.mp3",
    )
    assert result.participants == (Participant(speaker=0),)
    assert {w.speaker for w in result.words} == {0}
    assert audio.mixed[0].timeline.offset == 0.0


def test_a_single_unreadable_file_raises(tmp_path: Path) -> None:
    with pytest.raises(UnreadableMediaError, match="not an audio file"):
        process_single_file(
            SourceFile(tmp_path / "x.mp4", "x.mp4"),
            audio=FakeAudio(unreadable=["x.mp4"]),
            transcriber=FakeTranscriber(),
            mp3_path=tmp_path / "audio.mp3",
        )
