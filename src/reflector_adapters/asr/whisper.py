"""``Transcriber`` on faster-whisper (CTranslate2, int8 on CPU): only speech is decoded.

Per speaker: each chunk is gated by energy and Silero VAD (``speech.py``), the speech regions are
packed into ≤ 28 s windows (``windows.py``), each window is decoded once with word timestamps, and
the words are mapped back onto the meeting timeline. Silence costs an RMS per frame and can never be
transcribed; the guards in ``guards.py`` drop what a decoder still invents. See docs/pipeline.md for
the measured effect of each choice.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterable
from pathlib import Path

import numpy as np
from attrs import field, frozen
from faster_whisper import WhisperModel

from reflector_adapters.asr.guards import GuardSettings, SegmentStats, rejects_segment, repeated_ngrams
from reflector_adapters.asr.language import AUTO, check_language, check_model_language
from reflector_adapters.asr.models import DEFAULT_MODEL, ResolvedModel, resolve_model
from reflector_adapters.asr.speech import SpeechSettings, frame_rms_db, sound_edges, speech_regions
from reflector_adapters.asr.windows import Window, WindowPacker
from reflector_core.errors import InvalidInputError
from reflector_core.languages import Languages, english_only
from reflector_core.meeting_audio import SpeakerChunk
from reflector_core.model import Word
from reflector_core.timeline import PcmChunk

log = logging.getLogger(__name__)

SAMPLE_RATE = 16_000


def _default_threads() -> int:
    return os.cpu_count() or 1


@frozen
class WhisperSettings:
    model: str = DEFAULT_MODEL
    """``tiny.en``, ``base`` or a path to a CTranslate2 model directory (see ``models.py``)."""
    model_cache: Path | None = None
    """Where ``base`` is joined from its two parts; ``~/.cache/reflector/models`` by default."""
    cpu_threads: int = field(factory=_default_threads)
    compute_type: str = "int8"
    language: str = "en"
    """``auto`` (detected once per transcriber run from the first window, then kept) or an ISO
    639-1 code; anything but ``en`` needs a multilingual model (``language.py``)."""
    beam_size: int = 1
    """Greedy decoding: on VAD-cut clean speech beam 5 bought no accuracy and cost time."""
    temperatures: tuple[float, ...] = (0.0,)
    """No sampling fallback: output is deterministic, and a looping decode is dropped by the guards
    rather than re-sampled (on VAD-cut speech the fallback changed no word in the benchmark)."""
    window: float = 28.0
    """Seconds of speech packed into one decoder window (Whisper encodes 30 s either way)."""
    join_silence: float = 0.3
    """Silence spliced between packed regions so the decoder hears an utterance end."""
    snap: float = 0.6
    """Whisper's first/last word times around silence are off by ±0.3 s; within this many seconds
    of the sound's real onset/offset in a speech region, the edge word is moved onto it."""
    without_timestamps: bool = False
    speech: SpeechSettings = field(factory=SpeechSettings)
    guards: GuardSettings = field(factory=GuardSettings)


class WhisperTranscriber:
    """One loaded model; ``transcribe`` is called once per track (not thread-safe; one per worker)."""

    def __init__(self, settings: WhisperSettings | None = None) -> None:
        self.settings = settings or WhisperSettings()
        self._resolved: ResolvedModel | None = None
        self._model: WhisperModel | None = None
        self.language: str | None = None
        """The language being transcribed: the setting's, or what ``auto`` detected (None until then)."""

    @property
    def model(self) -> WhisperModel:
        # Loaded on first use: building the adapter (e.g. for ``reflector inspect``) stays cheap,
        # and a bad model setting still fails before any audio is decoded.
        if self._model is None:
            resolved = self.resolve()
            self._model = WhisperModel(
                str(resolved.path),
                device="cpu",
                compute_type=self.settings.compute_type,
                cpu_threads=self.settings.cpu_threads,
                num_workers=1,
                local_files_only=True,
            )
            check_model_language(
                self._language_setting, model_name=resolved.name, multilingual=self._model.model.is_multilingual
            )
        return self._model

    def resolve(self) -> ResolvedModel:
        """The model's files, and the language setting checked against it (``ConfigurationError``)."""
        if self._resolved is None:
            resolved = resolve_model(self.settings.model, cache_dir=self.settings.model_cache)
            self._language_setting = check_language(self.settings.language)
            check_model_language(self._language_setting, model_name=resolved.name)
            self._resolved = resolved
            self.language = None if self._language_setting == AUTO else self._language_setting
        return self._resolved

    def use_language(self, language: str | None) -> None:
        """The next recording's language: ``auto`` detects it anew, ``None`` is the configured setting.

        ``LanguageError`` (the transcript fails saying why) when the model cannot: an English-only
        model asked for another language or for detection.
        """
        resolved = self.resolve()
        value = (language or self.settings.language).strip().lower()
        multilingual = self._model.model.is_multilingual if self._model is not None else not english_only(resolved.name)
        value = Languages(english_only_model=None if multilingual else resolved.name).check(value)
        self._language_setting = value
        self.language = None if value == AUTO else value

    def reset_language(self) -> None:
        """Forget a detected language: the next recording detects its own (``auto`` only)."""
        self.resolve()
        if self._language_setting == AUTO:
            self.language = None

    def transcribe(self, chunks: Iterable[PcmChunk], *, speaker: int) -> list[Word]:
        return self.transcribe_speakers(SpeakerChunk(speaker, c) for c in chunks)

    def transcribe_speakers(self, chunks: Iterable[SpeakerChunk]) -> list[Word]:
        """Each speaker's regions are packed into that speaker's own windows, whatever the interleaving.

        A window is decoded as soon as it is full, so the words do not depend on how the speakers'
        chunks were interleaved; memory is one open window per speaker.
        """
        s = self.settings
        packers: dict[int, WindowPacker] = {}
        words: list[Word] = []
        for item in chunks:
            chunk, speaker = item.chunk, item.speaker
            if chunk.sample_rate != SAMPLE_RATE:
                raise InvalidInputError(f"Whisper needs {SAMPLE_RATE} Hz audio, got a chunk at {chunk.sample_rate} Hz")
            packer = packers.get(speaker)
            if packer is None:
                packer = packers[speaker] = WindowPacker(
                    max_seconds=s.window, sample_rate=SAMPLE_RATE, join_silence=s.join_silence
                )
            audio = np.frombuffer(chunk.data, dtype="<f4")
            for a, b in speech_regions(audio, SAMPLE_RATE, s.speech):
                for window in packer.add(audio[a:b], chunk.start + a / SAMPLE_RATE):
                    words += self._decode(window, speaker)
        for speaker, packer in sorted(packers.items()):
            last = packer.flush()
            if last is not None:
                words += self._decode(last, speaker)
        return words

    def _decode(self, window: Window, speaker: int) -> list[Word]:
        s = self.settings
        model = self.model  # loads the model and settles the language setting first
        segments, info = model.transcribe(
            window.audio,
            language=self.language,  # None (auto, not yet detected): Whisper detects it on this window
            beam_size=s.beam_size,
            temperature=list(s.temperatures),
            compression_ratio_threshold=s.guards.compression_ratio,
            log_prob_threshold=s.guards.log_prob,
            no_speech_threshold=s.guards.no_speech_prob,
            condition_on_previous_text=False,
            word_timestamps=True,
            without_timestamps=s.without_timestamps,
            vad_filter=False,  # already applied, with our own settings, before packing
        )
        if self.language is None:
            # One language per recording: the first window with speech decides, the rest follow it.
            self.language = info.language
            log.info("detected language %s (p=%.2f)", info.language, info.language_probability)
        levels = frame_rms_db(window.audio)
        raw: list[RawWord] = []
        for seg in segments:
            stats = SegmentStats(
                avg_logprob=seg.avg_logprob,
                no_speech_prob=seg.no_speech_prob,
                compression_ratio=seg.compression_ratio,
                peak_db=_peak_db(levels, seg.start, seg.end, window.sample_rate),
            )
            reason = rejects_segment(stats, s.guards)
            if reason is not None:
                log.info("dropped segment %.2f-%.2f %r: %s", seg.start, seg.end, seg.text, reason)
                continue
            raw += [(w.word, w.start, w.end, w.probability) for w in seg.words or ()]
        repeated = repeated_ngrams([r[0] for r in raw], max_repeats=s.guards.max_repeats)
        kept = [
            r
            for r, loop in zip(raw, repeated, strict=True)
            if not loop and r[0].strip() and _peak_db(levels, r[1], r[2], window.sample_rate) >= s.guards.floor_db
        ]
        out: list[Word] = []
        for text, start, end, prob in snap_edges(kept, window, floor_db=s.speech.floor_db, within=s.snap):
            m_start, m_end = window.to_meeting(start, end)
            out.append(Word(text=text, start=m_start, end=m_end, speaker=speaker, probability=prob))
        return out


RawWord = tuple[str, float, float, float]
"""Text, start, end (seconds into the window) and probability, as the decoder gave them."""


def snap_edges(words: list[RawWord], window: Window, *, floor_db: float, within: float) -> list[RawWord]:
    """Move the first word of each speech region onto the sound's onset, and the last onto its end.

    Whisper's alignment places a word after silence up to a few tenths of a second early or late;
    the region's own audio says exactly where the sound starts. Only edges that are already close
    (``within`` seconds) move, so a dropped or missed word never drags its neighbour across a gap.
    """
    out = list(words)
    by_piece: dict[int, list[int]] = {}
    for i, (_text, start, end, _prob) in enumerate(out):
        by_piece.setdefault(window.piece_of(start, end), []).append(i)
    rate = window.sample_rate
    for index, members in by_piece.items():
        piece = window.pieces[index]
        edges = sound_edges(window.piece_audio(index), rate, floor_db)
        if edges is None:
            continue
        onset, offset = piece.offset / rate + edges[0], piece.offset / rate + edges[1]
        # Distances are measured from the word's edge clamped into its piece, as it will be mapped:
        # a first word that Whisper starts inside the splice before the piece is still its first word.
        text, start, end, prob = out[members[0]]
        if abs(max(start, piece.offset / rate) - onset) <= within and onset < end:
            out[members[0]] = (text, onset, end, prob)
        text, start, end, prob = out[members[-1]]
        if abs(min(end, piece.end / rate) - offset) <= within and offset > start:
            out[members[-1]] = (text, start, offset, prob)
    return out


def _peak_db(levels: np.ndarray, start: float, end: float, sample_rate: int) -> float:
    """Loudest 32 ms frame between two window times (the frame under ``start`` at least)."""
    frame = 512 / sample_rate
    a = max(0, int(start / frame))
    b = min(levels.size, max(a + 1, int(np.ceil(end / frame))))
    return float(levels[a:b].max()) if b > a else -200.0
