"""Resemblyzer's speaker encoder run with NumPy: 40-channel mel frames → 3-layer LSTM → linear → ReLU → L2 norm.

The network is the GE2E speaker encoder that the ``resemblyzer`` package ships (``pretrained.pt``,
weights only, read by ``torch_weights`` without torch). The package is installed with ``--no-deps``
(it declares torch, librosa and webrtcvad, none of which this needs) and never imported: its
``__init__`` imports torch. We locate the file through the installed distribution's metadata.

Features match ``resemblyzer.audio.wav_to_mel_spectrogram``: librosa's power mel spectrogram
(n_fft 400, hop 160, Hann window, centred with zero padding, Slaney mel filters, no log) of 16 kHz
audio whose level was raised to -30 dBFS when quieter. A batch of segments of different lengths
runs through the LSTM together; each segment's embedding is the last layer's hidden state at its
own last frame (shorter ones stop updating), exactly what ``nn.LSTM`` gives for that sequence.
"""

from __future__ import annotations

import importlib.metadata
from collections.abc import Sequence
from pathlib import Path

import numpy as np
from faster_whisper.feature_extractor import FeatureExtractor

from reflector_adapters.diarization.torch_weights import load_legacy_checkpoint
from reflector_core.errors import ConfigurationError

SAMPLE_RATE = 16_000
N_FFT = 400
HOP = 160
N_MELS = 40
HIDDEN = 256
LAYERS = 3
TARGET_DBFS = -30.0
PACKAGE = "resemblyzer"
PACKAGE_PIN = "resemblyzer==0.1.4"
INSTALL_HINT = f"pip install --no-deps {PACKAGE_PIN}"


def packaged_weights() -> Path:
    """``pretrained.pt`` inside the installed ``resemblyzer`` distribution (not imported: it needs torch)."""
    try:
        dist = importlib.metadata.distribution(PACKAGE)
    except importlib.metadata.PackageNotFoundError as exc:
        raise ConfigurationError(
            f"the speaker encoder's weights come from the {PACKAGE} package, which is not installed: "
            f"run `{INSTALL_HINT}` (./dev does), or pass --no-diarization"
        ) from exc
    path = Path(str(dist.locate_file(f"{PACKAGE}/pretrained.pt")))
    if not path.is_file():
        raise ConfigurationError(f"{path}: missing from the {PACKAGE} package; reinstall it with `{INSTALL_HINT}`")
    return path


class MelFrontEnd:
    """The encoder's input features, vectorised over a whole segment."""

    def __init__(self) -> None:
        self.filters = FeatureExtractor.get_mel_filters(SAMPLE_RATE, N_FFT, n_mels=N_MELS).astype(np.float32)
        # librosa's default window: a periodic Hann (``scipy.signal.get_window("hann", 400)``).
        self.window = (0.5 - 0.5 * np.cos(2 * np.pi * np.arange(N_FFT) / N_FFT)).astype(np.float32)

    def __call__(self, audio: np.ndarray) -> np.ndarray:
        """``(frames, 40)`` float32 power mel spectrogram of mono 16 kHz ``audio``."""
        wav = normalize_volume(audio.astype(np.float32, copy=False))
        padded = np.pad(wav, (N_FFT // 2, N_FFT // 2))
        n = 1 + wav.size // HOP
        frames = np.lib.stride_tricks.sliding_window_view(padded, N_FFT)[::HOP][:n]
        spectrum = np.fft.rfft(frames * self.window, axis=1)
        power = (spectrum.real**2 + spectrum.imag**2).astype(np.float32)
        mel: np.ndarray = power @ self.filters.T
        return mel


def normalize_volume(wav: np.ndarray) -> np.ndarray:
    """Raise (never lower) the level to -30 dBFS, as resemblyzer's preprocessing does."""
    if wav.size == 0:
        return wav
    rms = float(np.sqrt(np.mean(np.square(wav, dtype=np.float64))))
    if rms <= 1e-8:
        return wav
    change = TARGET_DBFS - 20 * np.log10(rms)
    if change <= 0:
        return wav
    raised: np.ndarray = (wav * (10 ** (change / 20))).astype(np.float32)
    return raised


class SpeakerEncoder:
    """The LSTM and projection, on float32 NumPy arrays; one instance per process (weights ≈ 5.5 MB)."""

    def __init__(self, weights: Path | None = None) -> None:
        state = load_legacy_checkpoint(weights or packaged_weights()).get("model_state")
        if not isinstance(state, dict):
            raise ConfigurationError(f"{weights}: no model_state in the speaker encoder checkpoint")
        try:
            self.layers = [
                (
                    np.ascontiguousarray(state[f"lstm.weight_ih_l{k}"].T),
                    np.ascontiguousarray(state[f"lstm.weight_hh_l{k}"].T),
                    state[f"lstm.bias_ih_l{k}"] + state[f"lstm.bias_hh_l{k}"],
                )
                for k in range(LAYERS)
            ]
            self.linear_w = np.ascontiguousarray(state["linear.weight"].T)
            self.linear_b = state["linear.bias"]
        except KeyError as exc:
            raise ConfigurationError(f"speaker encoder checkpoint lacks {exc}") from exc
        self.features = MelFrontEnd()

    def embed(self, segments: Sequence[np.ndarray], *, batch: int = 64) -> np.ndarray:
        """``(len(segments), 256)`` unit-length embeddings of mono 16 kHz segments (each ≥ 1 sample)."""
        if not segments:
            return np.zeros((0, HIDDEN), dtype=np.float32)
        mels = [self.features(s) for s in segments]
        order = np.argsort([m.shape[0] for m in mels])  # similar lengths together: little padding
        out = np.zeros((len(mels), HIDDEN), dtype=np.float32)
        for i in range(0, len(order), batch):
            idx = order[i : i + batch]
            out[idx] = self._forward([mels[j] for j in idx])
        return out

    def _forward(self, mels: list[np.ndarray]) -> np.ndarray:
        # Longest first: at step t only the first ``active[t]`` rows still have frames, so the rows
        # that finished simply stop being computed and keep their last state (what ``nn.LSTM``
        # returns for each sequence on its own).
        order = np.argsort([-m.shape[0] for m in mels], kind="stable")
        lengths = np.array([mels[i].shape[0] for i in order])
        steps, rows = int(lengths[0]), len(mels)
        active = np.searchsorted(-lengths, -np.arange(1, steps + 1), side="right")
        x = np.zeros((steps, rows, N_MELS), dtype=np.float32)
        for b, i in enumerate(order):
            x[: lengths[b], b] = mels[i]
        h = np.zeros((rows, HIDDEN), dtype=np.float32)
        for w_ih, w_hh, bias in self.layers:
            gates_in = (x.reshape(-1, x.shape[-1]) @ w_ih + bias).reshape(steps, rows, 4 * HIDDEN)
            h = np.zeros((rows, HIDDEN), dtype=np.float32)
            c = np.zeros_like(h)
            seq = np.zeros((steps, rows, HIDDEN), dtype=np.float32)
            for t in range(steps):
                n = int(active[t])
                g = gates_in[t, :n] + h[:n] @ w_hh
                # PyTorch's gate order is input, forget, cell, output.
                sig = _sigmoid(g)
                c[:n] = sig[:, HIDDEN : 2 * HIDDEN] * c[:n] + sig[:, :HIDDEN] * np.tanh(g[:, 2 * HIDDEN : 3 * HIDDEN])
                h[:n] = sig[:, 3 * HIDDEN :] * np.tanh(c[:n])
                seq[t, :n] = h[:n]
            x = seq
        raw = np.maximum(h @ self.linear_w + self.linear_b, 0.0)
        norms = np.linalg.norm(raw, axis=1, keepdims=True)
        result: np.ndarray = np.empty_like(raw)
        result[order] = raw / np.maximum(norms, 1e-12)
        return result


def _sigmoid(x: np.ndarray) -> np.ndarray:
    out: np.ndarray = 0.5 * (np.tanh(0.5 * x) + 1.0)
    return out
