"""Speaker embeddings → speaker labels, with the number of speakers estimated.

Average-linkage agglomerative clustering on cosine distance (SciPy) gives one tree; the speaker
count is where to cut it:

- told exactly (``SpeakerHint.exactly``): cut into that many clusters;
- otherwise every count from 2 up to the bound (``at_most``, else ``max_speakers``) is scored by
  its silhouette (scikit-learn, cosine), and the best wins; but when even the last merge of the
  tree joins clusters closer than ``one_speaker_distance``, it is one voice;
- clusters holding less than ``min_cluster_share`` of the speech are folded into the nearest big
  one (a cough, a laugh, a piece straddling two voices is not a speaker).

Then one reassignment pass moves each segment to its nearest cluster centroid, which repairs
segments that average linkage attached early to the wrong branch.
"""

from __future__ import annotations

import numpy as np
from attrs import frozen
from scipy.cluster.hierarchy import fcluster, linkage
from sklearn.metrics import silhouette_score

from reflector_core.diarization import SpeakerHint


@frozen
class ClusteringSettings:
    max_speakers: int = 8
    """Upper bound on the estimate when no hint bounds it."""
    one_speaker_distance: float = 0.35
    """Cosine distance of the tree's last merge below which the recording is one voice."""
    min_cluster_share: float = 0.03
    """Clusters with less of the speech than this are folded into the nearest larger one."""
    reassign: bool = True


def cluster_speakers(
    embeddings: np.ndarray, durations: np.ndarray, hint: SpeakerHint, settings: ClusteringSettings
) -> np.ndarray:
    """A 0-based speaker label per embedding row (rows are unit-length, ``durations`` weigh them)."""
    n = embeddings.shape[0]
    if n == 0:
        return np.zeros(0, dtype=np.int64)
    if n == 1 or hint.exactly == 1:
        return np.zeros(n, dtype=np.int64)
    tree = linkage(embeddings.astype(np.float64), method="average", metric="cosine")
    if hint.exactly is not None:
        k = min(hint.exactly, n)
    else:
        k = _estimate_count(embeddings, tree, min(hint.at_most or settings.max_speakers, n), settings)
    labels = fcluster(tree, k, criterion="maxclust") - 1
    if hint.exactly is None:
        labels = _fold_small(embeddings, durations, labels, settings.min_cluster_share)
    if settings.reassign and k > 1:
        labels = _reassign(embeddings, durations, labels)
    return _compact(labels)


def _estimate_count(embeddings: np.ndarray, tree: np.ndarray, upper: int, settings: ClusteringSettings) -> int:
    if upper <= 1 or float(tree[-1, 2]) < settings.one_speaker_distance:
        return 1
    best_k, best_score = 1, -1.0
    for k in range(2, upper + 1):
        labels = fcluster(tree, k, criterion="maxclust")
        found = len(np.unique(labels))
        if found < 2 or found >= embeddings.shape[0]:
            continue
        score = float(silhouette_score(embeddings, labels, metric="cosine"))
        if score > best_score:
            best_k, best_score = found, score
    return best_k


def _centroids(embeddings: np.ndarray, durations: np.ndarray, labels: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    ids = np.unique(labels)
    cents = np.stack([(embeddings[labels == i] * durations[labels == i, None]).sum(axis=0) for i in ids])
    cents /= np.maximum(np.linalg.norm(cents, axis=1, keepdims=True), 1e-12)
    return ids, cents


def _fold_small(embeddings: np.ndarray, durations: np.ndarray, labels: np.ndarray, share: float) -> np.ndarray:
    total = float(durations.sum()) or 1.0
    mass = {int(i): float(durations[labels == i].sum()) / total for i in np.unique(labels)}
    big = [i for i, m in mass.items() if m >= share]
    if not big or len(big) == len(mass):
        return labels
    keep = np.isin(labels, big)
    ids, cents = _centroids(embeddings[keep], durations[keep], labels[keep])
    out = labels.copy()
    small = ~keep
    out[small] = ids[np.argmax(embeddings[small] @ cents.T, axis=1)]
    return out


def _reassign(embeddings: np.ndarray, durations: np.ndarray, labels: np.ndarray) -> np.ndarray:
    ids, cents = _centroids(embeddings, durations, labels)
    out: np.ndarray = ids[np.argmax(embeddings @ cents.T, axis=1)]
    return out


def _compact(labels: np.ndarray) -> np.ndarray:
    """Labels renumbered 0.. in order of first appearance (rows are in time order)."""
    mapping: dict[int, int] = {}
    for x in labels:
        mapping.setdefault(int(x), len(mapping))
    return np.array([mapping[int(x)] for x in labels], dtype=np.int64)
