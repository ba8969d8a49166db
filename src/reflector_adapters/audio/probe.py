"""Probing a track: where it sits on the meeting timeline and where it has no packets, without decoding."""

from __future__ import annotations

import logging
from pathlib import Path

import av

from reflector_adapters.audio.media import (
    MEDIA_ERRORS,
    has_timestamps,
    open_audio,
    seconds,
    stream_origin,
    track_name,
)
from reflector_core.errors import UnreadableMediaError
from reflector_core.timeline import (
    Span,
    TrackProbe,
    TrackTimeline,
    choose_offset,
    gaps_from_packet_times,
    merge_spans,
)

log = logging.getLogger(__name__)

MIN_GAP = 0.1
"""Shortest packet-free stretch that counts as a gap. Opus frames are 20 ms and a lost packet leaves a
20 ms hole; a mute leaves seconds. 100 ms separates the two and keeps gap edges within one frame."""

TRUNCATION_SLACK = 1.0
"""How far (seconds, or 1 % of the length if more) the last packet may end before the duration the
header declares before the file counts as truncated."""


def probe_track(path: Path, *, filename_offset: float | None = None, min_gap: float = MIN_GAP) -> TrackProbe:
    track = track_name(path)
    with open_audio(path) as (container, stream):
        ctx = stream.codec_context
        sample_rate, channels, codec = ctx.sample_rate, ctx.channels, ctx.name
        if not sample_rate or not channels:
            raise UnreadableMediaError(track, f"audio stream without sample rate or channels ({codec})")
        covered: list[Span] = []
        try:
            for packet in container.demux(stream):
                start = seconds(packet.pts if packet.pts is not None else packet.dts, packet.time_base)
                if start is None or packet.size == 0:
                    continue  # the demuxer's end-of-stream marker, or a packet with no time
                duration = seconds(packet.duration, packet.time_base) or 0.0
                _extend(covered, Span(start, start + max(duration, 0.0)), min_gap)
        except MEDIA_ERRORS as exc:
            raise UnreadableMediaError(track, f"demuxing failed: {exc}") from exc
        if not covered:
            raise UnreadableMediaError(track, "no audio packets")
        declared = container.duration / av.time_base if container.duration else None
        origin = stream_origin(container, stream)
        timestamped = has_timestamps(container)

    gaps, whole = gaps_from_packet_times(((s.start, s.duration) for s in covered), min_gap=min_gap)
    assert whole is not None  # covered is not empty
    if declared is not None and whole.end < declared - max(TRUNCATION_SLACK, 0.01 * declared):
        raise UnreadableMediaError(
            track, f"truncated: packets end at {whole.end:.3f} s but the header declares {declared:.3f} s"
        )
    if origin is None:
        origin = whole.start
    offsets = choose_offset(origin if timestamped else None, filename_offset)
    if offsets.suspicious:
        log.warning(
            "track %s: container offset %.3f s and file name offset %.3f s disagree by %.3f s; using %.3f s",
            track,
            offsets.metadata,
            offsets.filename,
            offsets.disagreement,
            offsets.chosen,
        )
    # Timestamps are meeting-relative when the offset came from them; otherwise (offset clamped at 0, or
    # a file whose own clock starts elsewhere) everything moves by the same shift the decoder applies.
    shift = offsets.chosen - origin
    start, end = offsets.chosen, max(offsets.chosen, whole.end + shift)
    spans = [g.shifted(shift) for g in gaps]
    if whole.start + shift - start >= min_gap:
        spans.append(Span(start, whole.start + shift))
    clipped = tuple(Span(max(g.start, start), min(g.end, end)) for g in merge_spans(spans) if g.end > start)
    timeline = TrackTimeline(offset=start, duration=end - start, gaps=tuple(g for g in clipped if g.duration > 0))
    return TrackProbe(
        source=track, timeline=timeline, offsets=offsets, sample_rate=sample_rate, channels=channels, codec=codec
    )


def _extend(covered: list[Span], span: Span, join_within: float) -> None:
    """Merge in-order packets as they stream by, so a long track keeps a handful of spans, not one per packet.

    Out-of-order packets open a new span; ``gaps_from_packet_times`` sorts and merges those at the end.
    """
    if covered:
        last = covered[-1]
        if last.start <= span.start <= last.end + join_within:
            if span.end > last.end:
                covered[-1] = Span(last.start, span.end)
            return
    covered.append(span)
