"""Meeting-timeline arithmetic: where a track sits, where it has no packets, where it has sound.

Positions are float seconds from the recording start. A Daily raw track starts at its own offset
and has no packets at all while its participant was muted: those stretches are ``gaps`` and must
become silence, never be squeezed out, or every later word drifts.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path

from attrs import field, frozen

from reflector_core.errors import InvalidInputError


def _non_negative(_inst: object, attr: object, value: float) -> None:
    if value < 0:
        raise InvalidInputError(f"{getattr(attr, 'name', 'value')} must be >= 0, got {value}")


@frozen(order=True)
class Span:
    start: float
    end: float

    def __attrs_post_init__(self) -> None:
        if self.end < self.start:
            raise InvalidInputError(f"span ends before it starts: {self.start}..{self.end}")

    @property
    def duration(self) -> float:
        return self.end - self.start

    def shifted(self, by: float) -> Span:
        return Span(self.start + by, self.end + by)

    def overlaps(self, other: Span) -> bool:
        return self.start < other.end and other.start < self.end


def merge_spans(spans: Iterable[Span], *, join_within: float = 0.0) -> tuple[Span, ...]:
    """Union of spans, sorted; spans closer than ``join_within`` seconds become one."""
    out: list[Span] = []
    for s in sorted(spans):
        if out and s.start <= out[-1].end + join_within:
            if s.end > out[-1].end:
                out[-1] = Span(out[-1].start, s.end)
        else:
            out.append(s)
    return tuple(out)


def complement(spans: Sequence[Span], within: Span) -> tuple[Span, ...]:
    """The parts of ``within`` not covered by ``spans``."""
    out: list[Span] = []
    cursor = within.start
    for s in merge_spans(spans):
        if s.end <= cursor:
            continue
        if s.start >= within.end:
            break
        if s.start > cursor:
            out.append(Span(cursor, min(s.start, within.end)))
        cursor = max(cursor, s.end)
    if cursor < within.end:
        out.append(Span(cursor, within.end))
    return tuple(out)


@frozen
class TrackTimeline:
    """Where one track lives on the meeting timeline."""

    offset: float = field(validator=_non_negative)
    """Meeting-timeline second of the track's first sample."""
    duration: float = field(validator=_non_negative)
    """Seconds from ``offset`` to the track's last sample, gaps included."""
    gaps: tuple[Span, ...] = ()
    """Stretches with no packets (muted), in meeting-timeline seconds, sorted, inside the track."""

    @property
    def end(self) -> float:
        return self.offset + self.duration

    @property
    def span(self) -> Span:
        return Span(self.offset, self.end)

    def present(self) -> tuple[Span, ...]:
        """Stretches where the track has packets: the complement of the gaps."""
        return complement(self.gaps, self.span)

    @property
    def gap_total(self) -> float:
        return sum(g.duration for g in self.gaps)


def gaps_from_packet_times(
    packets: Iterable[tuple[float, float]], *, min_gap: float = 0.1
) -> tuple[tuple[Span, ...], Span | None]:
    """From (start, duration) of every packet, the gaps between them and the covered span.

    Packets may arrive out of order or overlap (retransmissions, timestamp jitter); a gap is only a
    stretch no packet covers that lasts at least ``min_gap`` seconds (Opus frames are 20 ms, so
    jitter below that is not a mute).
    """
    covered = merge_spans((Span(s, s + max(d, 0.0)) for s, d in packets), join_within=min_gap)
    if not covered:
        return (), None
    whole = Span(covered[0].start, covered[-1].end)
    return complement(covered, whole), whole


@frozen
class OffsetCheck:
    """The container's offset cross-checked against the one in the Daily file name."""

    metadata: float | None
    filename: float | None
    chosen: float
    disagreement: float | None

    @property
    def suspicious(self) -> bool:
        # Daily's file name stamp usually lags the audio by about 0.2 s; more than 1 s is worth a log line.
        return self.disagreement is not None and abs(self.disagreement) > 1.0


def choose_offset(metadata: float | None, filename: float | None) -> OffsetCheck:
    """Prefer the container's own start time; fall back to the file name stamps, then 0."""
    chosen = metadata if metadata is not None else (filename if filename is not None else 0.0)
    disagreement = None if metadata is None or filename is None else filename - metadata
    return OffsetCheck(metadata=metadata, filename=filename, chosen=max(0.0, chosen), disagreement=disagreement)


@frozen
class TrackProbe:
    """What probing a track file found."""

    source: str
    timeline: TrackTimeline
    offsets: OffsetCheck
    sample_rate: int
    channels: int
    codec: str


@frozen
class PcmChunk:
    """Mono float32 little-endian samples that start at ``start`` on the meeting timeline."""

    start: float
    sample_rate: int
    data: bytes = field(repr=lambda d: f"<{len(d)} bytes>")

    @property
    def samples(self) -> int:
        return len(self.data) // 4

    @property
    def duration(self) -> float:
        return self.samples / self.sample_rate

    @property
    def end(self) -> float:
        return self.start + self.duration


@frozen
class MixInput:
    path: Path
    timeline: TrackTimeline
