"""``Diarizer`` on Silero speech regions, Resemblyzer embeddings (NumPy) and average-linkage clustering.

As the chunks stream past (``feed``): speech regions are found with the transcriber's detector
(energy gate + Silero VAD, but a shorter minimum pause, so a change of speaker at a short pause
starts a new region), each region is cut into pieces of at most ``piece`` seconds, and pieces are
embedded in batches; only their times and 256-float embeddings are kept, so memory does not grow
with the audio. At the end (``finish``): the pieces are clustered (``clustering.py``) and
consecutive pieces of one speaker become one turn.
"""

from __future__ import annotations

import itertools
import logging
import math

import numpy as np
from attrs import field, frozen
from threadpoolctl import threadpool_limits

from reflector_adapters.asr.speech import SpeechSettings, speech_regions
from reflector_adapters.diarization.clustering import ClusteringSettings, cluster_speakers
from reflector_adapters.diarization.encoder import SAMPLE_RATE, SpeakerEncoder
from reflector_core.diarization import SpeakerHint, SpeakerTurn
from reflector_core.errors import InvalidInputError
from reflector_core.timeline import PcmChunk

log = logging.getLogger(__name__)


def _diarization_speech() -> SpeechSettings:
    # The transcriber's settings but a 0.25 s minimum pause (speakers often answer within half a
    # second) and less padding (padding is where the previous voice still rings).
    return SpeechSettings(min_silence=0.25, speech_pad=0.05)


@frozen
class DiarizerSettings:
    piece: float = 1.5
    """Longest stretch embedded at once (the encoder was trained on 1.6 s); regions are cut evenly."""
    min_piece: float = 0.3
    """Shorter speech is not embedded (too little to say whose it is); words there go to a neighbour."""
    batch: int = 128
    """Pieces embedded together: one LSTM pass with bigger matrix products."""
    threads: int = 1
    """BLAS threads for the encoder: its matrices are small; more threads only contend for the cores."""
    speech: SpeechSettings = field(factory=_diarization_speech)
    clustering: ClusteringSettings = field(factory=ClusteringSettings)


class EmbeddingDiarizer:
    """One encoder per process, loaded on first use (building the adapter stays cheap)."""

    def __init__(self, settings: DiarizerSettings | None = None, *, encoder: SpeakerEncoder | None = None) -> None:
        self.settings = settings or DiarizerSettings()
        self._encoder = encoder

    @property
    def encoder(self) -> SpeakerEncoder:
        if self._encoder is None:
            self._encoder = SpeakerEncoder()
        return self._encoder

    def load(self) -> None:
        """Load the encoder now: a missing package fails before any audio is read."""
        _ = self.encoder

    def session(self) -> EmbeddingSession:
        return EmbeddingSession(self.encoder, self.settings)


class EmbeddingSession:
    def __init__(self, encoder: SpeakerEncoder, settings: DiarizerSettings) -> None:
        self._encoder = encoder
        self._settings = settings
        self._pending: list[tuple[float, float, np.ndarray]] = []
        self._spans: list[tuple[float, float]] = []
        self._embeddings: list[np.ndarray] = []

    def feed(self, chunk: PcmChunk) -> None:
        if chunk.sample_rate != SAMPLE_RATE:
            raise InvalidInputError(f"the speaker encoder needs {SAMPLE_RATE} Hz audio, got {chunk.sample_rate} Hz")
        audio = np.frombuffer(chunk.data, dtype="<f4")
        s = self._settings
        for a, b in speech_regions(audio, SAMPLE_RATE, s.speech):
            count = max(1, math.ceil((b - a) / SAMPLE_RATE / s.piece))
            edges = np.linspace(a, b, count + 1).astype(int)
            for x, y in itertools.pairwise(edges.tolist()):
                if (y - x) / SAMPLE_RATE >= s.min_piece:
                    start = chunk.start + x / SAMPLE_RATE
                    self._pending.append((start, chunk.start + y / SAMPLE_RATE, audio[x:y].copy()))
        if len(self._pending) >= s.batch:
            self._embed_pending()

    def _embed_pending(self) -> None:
        if not self._pending:
            return
        with threadpool_limits(limits=self._settings.threads, user_api="blas"):
            emb = self._encoder.embed([p[2] for p in self._pending], batch=self._settings.batch)
        self._spans += [(p[0], p[1]) for p in self._pending]
        self._embeddings.append(emb)
        self._pending = []

    def finish(self, hint: SpeakerHint) -> list[SpeakerTurn]:
        self._embed_pending()
        if not self._spans:
            return []
        emb = np.concatenate(self._embeddings)
        spans = np.array(self._spans)
        order = np.argsort(spans[:, 0], kind="stable")
        emb, spans = emb[order], spans[order]
        labels = cluster_speakers(emb, spans[:, 1] - spans[:, 0], hint, self._settings.clustering)
        log.info("diarization: %d pieces, %d speakers", len(labels), len(set(labels.tolist())))
        return _turns(spans, labels)


def _turns(spans: np.ndarray, labels: np.ndarray, *, join: float = 1.0) -> list[SpeakerTurn]:
    """Consecutive pieces of one speaker, closer than ``join`` seconds, become one turn."""
    turns: list[SpeakerTurn] = []
    for (start, end), label in zip(spans.tolist(), labels.tolist(), strict=True):
        last = turns[-1] if turns else None
        if last is not None and last.speaker == label and start - last.end <= join:
            turns[-1] = SpeakerTurn(last.start, max(last.end, end), label)
        else:
            turns.append(SpeakerTurn(start, end, label))
    return turns
