"""Crosstalk: deciding which stretches of a track are another participant's voice leaking in.

When two participants share a room (or one uses loudspeakers), each voice also reaches the other
microphones a few milliseconds later and 15–30 dB quieter. Transcribed per track, it would be
written twice under two names. The audio adapter measures, per short frame of the shared meeting
timeline, every track's level and (for the pairs that need it) how well one track matches another
track's sound 0–40 ms earlier; this module turns those measurements into decisions. It is pure
(no audio, no NumPy) so the rules are property-tested on their own.

The rules, per frame of a victim track ``i`` and a possible source track ``j``:

1. **Level dominance, normalised to each track's own speech level.** Every level is taken relative
   to its track's typical speech level (``SpeechLevel``: a running median of the frames that were
   that participant's own voice), so a quiet talker (or a low-gain microphone) next to a loud one
   is compared with their own loudness, not with the loud one's. ``j`` is a candidate source when
   its normalised level (the loudest of its frames that can reach ``i`` within ``max_delay``)
   exceeds ``i``'s by ``dominance_db`` (``unknown_dominance_db`` while a level is not known yet).
   Two people talking at once are both at their own level: neither dominates, both are kept.
2. **Correlation confirms it is the same sound.** A candidate frame is leaked only when the victim's
   samples correlate with the source's samples at a delay of 0–``max_delay`` seconds (the victim
   hears the source later) by at least ``min_correlation`` (or several sources talking at once do
   together, see ``judge``). A loud neighbour saying something else does not correlate.
3. **Runs, not frames** (``mask_runs``): leaked frames closer than ``bridge`` (``quiet_bridge``
   across frames that hold nothing of the victim's own: silence, or a source dominating) are joined;
   a joined run is removed from the victim's audio only when it lasts ``min_span``, so a syllable of a real
   overlap is never cut out, and the decision is kept per region with its evidence
   (``CrosstalkSpan``).
"""

from __future__ import annotations

import statistics
from collections import Counter
from collections.abc import Collection, Sequence

from attrs import field, frozen

from reflector_core.errors import InvalidInputError


@frozen
class CrosstalkSettings:
    enabled: bool = True
    frame: float = 0.02
    """Seconds per analysis frame."""
    floor_db: float = -55.0
    """Frames quieter than this (RMS, dBFS) are silence: nothing to decide."""
    dominance_db: float = 4.0
    """How much louder than the victim, each relative to its own speech level, a source must be."""
    unknown_dominance_db: float = 0.0
    """... while either of the two speech levels is not known yet (the others' median stands in): the
    stand-in can be 12 dB off for a quiet microphone, so any source at least as loud is checked, and the
    correlation's direction (the listener hears the talker later) tells which one is talking."""
    min_correlation: float = 0.8
    """Normalised cross-correlation (best delay in 0..max_delay) that confirms the same sound."""
    max_delay: float = 0.040
    """Longest acoustic delay from one microphone to another that is looked for (about 13 m)."""
    min_span: float = 0.08
    """Leaked runs shorter than this are kept: inside real overlap, a pause lets the other voice through."""
    bridge: float = 0.1
    """Leaked frames at most this far apart belong to one run."""
    quiet_bridge: float = 0.3
    """... or this far apart when only silence (below ``floor_db``) or frames a source dominates lie
    between them: a leaked word's fricatives and its tail correlate badly, but they are not the victim's."""
    level_percentile: float = 0.5
    """Which percentile of a track's own speech frames is its speech level."""
    min_level_frames: int = 25
    """Own frames (0.5 s) before a track's speech level is trusted; until then the others' median stands in.
    Shorter lets a quiet microphone's first sentence through less (with 50 frames: all of it), but
    with 10 a listener learnt a level from a few leaked frames and then kept hearing the leak."""

    def __attrs_post_init__(self) -> None:
        if self.frame <= 0 or min(self.max_delay, self.min_span, self.bridge, self.quiet_bridge) < 0:
            raise InvalidInputError(f"crosstalk durations must be positive: {self!r}")
        if not 0.0 <= self.level_percentile <= 1.0 or not -1.0 <= self.min_correlation <= 1.0:
            raise InvalidInputError(f"crosstalk percentile/correlation out of range: {self!r}")

    @property
    def min_frames(self) -> int:
        return max(1, round(self.min_span / self.frame))

    @property
    def bridge_frames(self) -> int:
        return round(self.bridge / self.frame)

    @property
    def quiet_bridge_frames(self) -> int:
        return round(self.quiet_bridge / self.frame)

    @property
    def decision_frames(self) -> int:
        """The fewest frames per block for which deciding one block late equals deciding on the whole (``MaskStream``)."""
        return self.min_frames + max(self.bridge_frames, self.quiet_bridge_frames)


@frozen
class Candidate:
    """Frame-level suspicion: ``victim`` may be hearing ``source`` (normalised ``dominance`` dB louder)."""

    victim: int
    source: int
    dominance: float


@frozen
class Evidence:
    """Why one frame of a victim track was judged leaked."""

    source: int
    dominance: float
    correlation: float
    delay: float
    """Seconds the victim hears the source later."""


@frozen
class CrosstalkSpan:
    """A region of ``track`` that is ``source``'s voice (track indexes), with the evidence, medians of its frames."""

    track: int
    source: int
    start: float
    end: float
    dominance_db: float
    correlation: float
    delay: float

    @property
    def duration(self) -> float:
        return self.end - self.start


class SpeechLevel:
    """A track's own speech level: a percentile of the levels of its own (not leaked) loud frames.

    Kept as a histogram of 0.5 dB bins, so it is constant memory and updates in O(1).
    """

    LOW, HIGH, STEP = -120.0, 20.0, 0.5

    def __init__(self, percentile: float = 0.5, min_frames: int = 50) -> None:
        self._bins = [0] * int((self.HIGH - self.LOW) / self.STEP)
        self._count = 0
        self._percentile = percentile
        self._min = min_frames
        self._cached: float | None = None

    def add(self, level_db: float) -> None:
        k = int((min(max(level_db, self.LOW), self.HIGH - self.STEP) - self.LOW) / self.STEP)
        self._bins[k] += 1
        self._count += 1
        self._cached = None

    @property
    def count(self) -> int:
        return self._count

    def level(self) -> float | None:
        """The percentile's bin centre, or ``None`` before ``min_frames`` own frames were seen."""
        if self._count < max(1, self._min):
            return None
        if self._cached is None:  # asked for every block, changed only by the frames a track talks in
            self._cached = self._percentile_level()
        return self._cached

    def _percentile_level(self) -> float:
        rank = self._percentile * (self._count - 1)
        seen = 0
        for k, n in enumerate(self._bins):
            seen += n
            if seen > rank:
                return self.LOW + (k + 0.5) * self.STEP
        raise AssertionError("histogram count out of step")  # pragma: no cover


def dominance(source_db: float, victim_db: float, source_speech: float | None, victim_speech: float | None) -> float:
    """How much louder the source's frame is than the victim's, each relative to its own speech level.

    While either speech level is unknown the raw levels are compared (same kind of microphones,
    same scale): comparing one normalised level with one raw level would mean nothing.
    """
    if source_speech is None or victim_speech is None:
        return source_db - victim_db
    return (source_db - source_speech) - (victim_db - victim_speech)


def with_prior(speech: Sequence[float | None]) -> list[float | None]:
    """Speech levels, an unknown one replaced by the median of the known ones.

    A participant who has not talked yet (or never does) still listens through a microphone like
    the others': the others' typical level is a better guess for theirs than comparing raw levels,
    which would let a quiet microphone's voice, leaking into a silent listener, pass as the
    listener's own.
    """
    known = [x for x in speech if x is not None]
    if not known:
        return list(speech)
    prior = statistics.median(known)
    return [prior if x is None else x for x in speech]


def candidates(
    levels: Sequence[float],
    speech: Sequence[float | None],
    s: CrosstalkSettings,
    heard: Sequence[float] | None = None,
) -> list[Candidate]:
    """Pairs (victim, source) worth a correlation check in one frame.

    ``levels`` are the tracks' frame levels in dBFS, ``speech`` their speech levels (``None`` when
    not known yet; ``with_prior`` fills those in from the others). ``heard`` is, per source, the
    level a victim may be hearing from it in this frame: the loudest of its frames within
    ``max_delay`` before (default ``levels``): a leak's last syllable arrives after its source has
    fallen silent. Victims above the floor take part, sources whose ``heard`` is.
    """
    heard = levels if heard is None else heard
    victims = [i for i, lv in enumerate(levels) if lv > s.floor_db]
    sources = [i for i, lv in enumerate(heard) if lv > s.floor_db]
    if not victims or not sources or len(set(victims) | set(sources)) < 2:
        return []
    known = [x is not None for x in speech]
    speech = with_prior(speech)
    out = []
    for victim in victims:
        for source in sources:
            if victim != source:
                d = dominance(heard[source], levels[victim], speech[source], speech[victim])
                margin = s.dominance_db if known[source] and known[victim] else s.unknown_dominance_db
                if d >= margin:
                    out.append(Candidate(victim, source, d))
    return out


def teaches_level(levels: Sequence[float], leaked: Collection[int], s: CrosstalkSettings) -> int | None:
    """The track whose speech level this frame may teach: the loudest active one, unless it is leaked.

    Only the loudest: a frame that other tracks also carry (crosstalk, at any level) must not teach
    their speech level, or a listener's level would sink towards the leak it hears and the leak
    would stop standing out. A microphone quieter than its own leak into another (gain difference
    larger than the crosstalk attenuation) never learns a level and is compared raw.
    """
    best = max(range(len(levels)), key=lambda i: levels[i], default=None)
    if best is None or levels[best] <= s.floor_db or best in leaked:
        return None
    return best


def judge(found: Sequence[tuple[Candidate, float, float]], s: CrosstalkSettings) -> dict[int, Evidence]:
    """Leaked victims of one frame: ``found`` is (candidate, correlation, delay) as measured.

    A victim is leaked when one source alone correlates with it by ``min_correlation``, or when the
    sources talking at that moment do together: the squared correlations of independent voices add
    up to the share of the victim's energy they explain, so two people leaking at once (each
    explaining half) are caught while a victim's own voice (explained by nobody) is not. Sources
    that are themselves leaked in this frame (listeners carrying the same voice) do not add up.

    The source named is the most dominant one that correlates: another listener carries the same
    voice too (and may correlate even better, both copies being dulled alike), but only the talker's
    own track has it at the talker's speech level.
    """
    plausible = [(c, corr, d) for c, corr, d in found if corr > 0 and 0.0 <= d <= s.max_delay + 1e-9]
    alone: dict[int, Evidence] = {}
    for c, corr, delay in plausible:
        if corr >= s.min_correlation:
            best = alone.get(c.victim)
            if best is None or c.dominance > best.dominance:
                alone[c.victim] = Evidence(c.source, c.dominance, corr, delay)
    out = dict(alone)
    by_victim: dict[int, list[tuple[Candidate, float, float]]] = {}
    for item in plausible:
        if item[0].victim not in alone and item[0].source not in alone:
            by_victim.setdefault(item[0].victim, []).append(item)
    for victim, items in by_victim.items():
        total = sum(corr * corr for _, corr, _ in items)
        if len(items) > 1 and total >= s.min_correlation**2:
            c, _, delay = max(items, key=lambda it: it[0].dominance)
            out[victim] = Evidence(c.source, c.dominance, round(total**0.5, 3), delay)
    return out


def mask_runs(
    leaked: Sequence[bool],
    *,
    min_frames: int,
    bridge_frames: int,
    quiet: Sequence[bool] | None = None,
    quiet_bridge_frames: int = 0,
) -> list[bool]:
    """Which frames to remove: leaked runs joined, then kept if they span ``min_frames``.

    Two leaked frames join when at most ``bridge_frames`` frames lie between them, or at most
    ``quiet_bridge_frames`` that are all ``quiet`` (silence between a leaked voice's words, or frames
    another track dominates: nothing of the victim's own is lost by removing them, and the run's
    words stay together).
    """
    out = [False] * len(leaked)
    idx = [i for i, x in enumerate(leaked) if x]
    quiet_before = [0]
    for q in quiet if quiet is not None else [False] * len(leaked):
        quiet_before.append(quiet_before[-1] + (1 if q else 0))

    def joins(a: int, b: int) -> bool:
        gap = b - a - 1
        all_quiet = quiet_before[b] - quiet_before[a + 1] == gap
        return gap <= bridge_frames or (all_quiet and gap <= quiet_bridge_frames)

    k = 0
    while k < len(idx):
        first = last = idx[k]
        k += 1
        while k < len(idx) and joins(last, idx[k]):
            last = idx[k]
            k += 1
        if last - first + 1 >= min_frames:
            out[first : last + 1] = [True] * (last - first + 1)
    return out


class MaskStream:
    """``mask_runs`` over a stream of blocks, one block late: each block is decided with its neighbours.

    Equal to ``mask_runs`` over the whole stream whenever every block but the last holds at least
    ``min_frames + max(bridge_frames, quiet_bridge_frames)`` frames (``decision_frames``): a run
    that reaches a block from two blocks away has spanned ``min_frames`` inside its neighbour, and
    the next leaked frame of a run is never further than the longer bridge.
    """

    def __init__(self, *, min_frames: int, bridge_frames: int, quiet_bridge_frames: int = 0) -> None:
        self._kw = {
            "min_frames": min_frames,
            "bridge_frames": bridge_frames,
            "quiet_bridge_frames": quiet_bridge_frames,
        }
        self._prev: tuple[list[bool], list[bool]] = ([], [])
        self._cur: tuple[list[bool], list[bool]] | None = None

    def push(self, block: Sequence[bool], quiet: Sequence[bool] | None = None) -> list[bool] | None:
        """Decide the block pushed before this one (``None`` on the first push)."""
        nxt = (list(block), list(quiet) if quiet is not None else [False] * len(block))
        if self._cur is None:
            self._cur = nxt
            return None
        out = self._decide(nxt)
        self._prev, self._cur = self._cur, nxt
        return out

    def finish(self) -> list[bool]:
        """Decide the last block pushed."""
        if self._cur is None:
            return []
        out = self._decide(([], []))
        self._prev, self._cur = self._cur, None
        return out

    def _decide(self, nxt: tuple[list[bool], list[bool]]) -> list[bool]:
        cur = self._cur or ([], [])
        if not any(cur[0]):
            return [False] * len(cur[0])
        leaked = self._prev[0] + cur[0] + nxt[0]
        quiet = self._prev[1] + cur[1] + nxt[1]
        mask = mask_runs(leaked, quiet=quiet, **self._kw)
        before = len(self._prev[0])
        return mask[before : before + len(cur[0])]


@frozen
class _Open:
    start: float
    end: float
    evidence: list[Evidence] = field(eq=False)


class SpanCollector:
    """Turns one track's per-frame decisions (in time order) into ``CrosstalkSpan`` regions."""

    def __init__(self, track: int, frame: float) -> None:
        self.track = track
        self.frame = frame
        self._open: _Open | None = None

    @property
    def is_open(self) -> bool:
        return self._open is not None

    def push(self, start: float, masked: bool, evidence: Evidence | None) -> CrosstalkSpan | None:
        """One frame starting at ``start``; returns a span when a masked run ends here."""
        if masked:
            if self._open is None:
                self._open = _Open(start, start + self.frame, [])
            else:
                self._open = _Open(self._open.start, start + self.frame, self._open.evidence)
            if evidence is not None:
                self._open.evidence.append(evidence)
            return None
        return self.close()

    def close(self) -> CrosstalkSpan | None:
        run, self._open = self._open, None
        if run is None:
            return None
        return summarise(self.track, run.start, run.end, run.evidence)


def summarise(track: int, start: float, end: float, evidence: Sequence[Evidence]) -> CrosstalkSpan:
    """The span's source is the one most of its frames point to; its figures are their medians."""
    if not evidence:
        raise InvalidInputError(f"a crosstalk span of track {track} at {start:.2f} s has no leaked frame")
    source = Counter(e.source for e in evidence).most_common(1)[0][0]
    mine = [e for e in evidence if e.source == source]
    return CrosstalkSpan(
        track=track,
        source=source,
        start=start,
        end=end,
        dominance_db=round(statistics.median(e.dominance for e in mine), 1),
        correlation=round(statistics.median(e.correlation for e in mine), 3),
        delay=round(statistics.median(e.delay for e in mine), 4),
    )
