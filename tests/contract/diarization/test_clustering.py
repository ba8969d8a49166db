"""Speaker-count estimation on synthetic embeddings: well separated clusters around random centres."""

from __future__ import annotations

import numpy as np
import pytest

from reflector_adapters.diarization.clustering import ClusteringSettings, cluster_speakers
from reflector_core.diarization import SpeakerHint


def _voices(k: int, per: int, spread: float, seed: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    centres = rng.standard_normal((k, 64))
    truth = np.repeat(np.arange(k), per)
    rng.shuffle(truth)
    x = centres[truth] + spread * rng.standard_normal((truth.size, 64))
    return x / np.linalg.norm(x, axis=1, keepdims=True), truth


def _same_partition(a: np.ndarray, b: np.ndarray) -> bool:
    return len(set(zip(a.tolist(), b.tolist(), strict=True))) == len(set(a.tolist())) == len(set(b.tolist()))


@pytest.mark.parametrize("k", [2, 3, 4, 5, 6])
@pytest.mark.parametrize("seed", [1, 2, 3])
def test_the_count_is_estimated(k: int, seed: int) -> None:
    x, truth = _voices(k, 20, 0.35, seed)
    labels = cluster_speakers(x, np.ones(len(x)), SpeakerHint(), ClusteringSettings())
    assert _same_partition(labels, truth)


def test_one_voice_stays_one() -> None:
    x, _ = _voices(1, 40, 0.35, 7)
    assert set(cluster_speakers(x, np.ones(len(x)), SpeakerHint(), ClusteringSettings()).tolist()) == {0}


def test_hints() -> None:
    x, truth = _voices(4, 15, 0.35, 4)
    ones = np.ones(len(x))
    assert len(set(cluster_speakers(x, ones, SpeakerHint(exactly=3), ClusteringSettings()).tolist())) == 3
    assert len(set(cluster_speakers(x, ones, SpeakerHint(at_most=2), ClusteringSettings()).tolist())) == 2
    assert _same_partition(cluster_speakers(x, ones, SpeakerHint(at_most=6), ClusteringSettings()), truth)


def test_labels_are_numbered_by_first_appearance_and_tiny_inputs_work() -> None:
    x, _ = _voices(3, 10, 0.3, 5)
    labels = cluster_speakers(x, np.ones(len(x)), SpeakerHint(), ClusteringSettings())
    firsts = [labels.tolist().index(i) for i in range(labels.max() + 1)]
    assert firsts == sorted(firsts) and labels[0] == 0
    assert cluster_speakers(x[:0], np.ones(0), SpeakerHint(), ClusteringSettings()).size == 0
    assert cluster_speakers(x[:1], np.ones(1), SpeakerHint(), ClusteringSettings()).tolist() == [0]
