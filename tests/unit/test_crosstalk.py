from __future__ import annotations

import pytest
from attrs import evolve
from hypothesis import assume, given
from hypothesis import strategies as st

from reflector_core.crosstalk import (
    Candidate,
    CrosstalkSettings,
    Evidence,
    MaskStream,
    SpanCollector,
    SpeechLevel,
    candidates,
    dominance,
    judge,
    mask_runs,
    with_prior,
)
from reflector_core.errors import InvalidInputError

S = CrosstalkSettings()
speech_db = st.floats(-40, -5, allow_nan=False)
bleed_db = st.floats(-30, -15, allow_nan=False)
gain_db = st.floats(-15, 15, allow_nan=False)


def leak_scene(speaker_level: float, bleed: float, gain_speaker: float, gain_victim: float) -> tuple[float, float]:
    """Levels on (speaker's track, victim's track) while only the speaker talks; gains are the microphones'."""
    return speaker_level + gain_speaker, speaker_level + bleed + gain_victim


@given(speech_db, bleed_db, gain_db, gain_db)
def test_a_leak_is_a_candidate_whatever_the_microphone_gains(
    level: float, bleed: float, g_speaker: float, g_victim: float
) -> None:
    # Each track's speech level is its own talker's level through its own microphone gain.
    speech = [level + g_speaker, level + g_victim]
    on_speaker, on_victim = leak_scene(level, bleed, g_speaker, g_victim)
    assume(min(on_speaker, on_victim) > S.floor_db)
    found = candidates([on_speaker, on_victim], speech, S)
    assert Candidate(victim=1, source=0, dominance=pytest.approx(-bleed)) in found
    assert all(c.victim == 1 for c in found)


@given(speech_db, speech_db, gain_db, gain_db, st.floats(-6, 6, allow_nan=False), st.floats(-6, 6, allow_nan=False))
def test_two_people_at_their_own_level_are_never_candidates(
    a: float, b: float, g_a: float, g_b: float, da: float, db: float
) -> None:
    """Real simultaneous speech: each track near its own talker's level."""
    speech = [a + g_a, b + g_b]
    swing = S.dominance_db / 2 - 0.01  # each within ± this of its own level: differences stay under the margin
    levels = [a + g_a + da / 6 * swing, b + g_b + db / 6 * swing]
    assume(min(levels) > S.floor_db)
    assert candidates(levels, speech, S) == []


def test_a_quiet_track_talking_over_a_loud_one_is_not_suppressed() -> None:
    # Track 1's microphone is 12 dB quieter (speech level -32 against -20); both talk at once.
    speech = [-20.0, -32.0]
    levels = [-20.0, -32.0]
    assert [(c.victim, c.source) for c in candidates(levels, [None, None], S)] == [(1, 0)]  # raw would
    assert candidates(levels, speech, S) == []


def test_a_quiet_tracks_voice_leaking_into_a_loud_one_is_found() -> None:
    # Talker 1 alone: -32 on its own quiet track, -20 - 15 = -35 leaking into track 0's louder microphone.
    speech = [-20.0, -32.0]
    levels = [-35.0, -32.0]
    assert [(c.victim, c.source, c.dominance) for c in candidates(levels, speech, S)] == [(0, 1, 15.0)]
    # Before either level is learnt the raw levels are only 3 dB apart: still a candidate (the margin
    # is then 0 dB), and the correlation's direction decides.
    assert [(c.victim, c.source, c.dominance) for c in candidates(levels, [None, None], S)] == [(0, 1, 3.0)]


def test_a_quiet_tracks_first_words_are_checked_before_its_level_is_known() -> None:
    # The loud tracks know their level (-20); track 2's microphone is 12 dB quieter and has not talked
    # yet, so the others' median stands in for it (-20 instead of -32). Its first words leak into
    # tracks 0 and 1 at -35, only 3 dB under its own -32: not enough with the known levels' margin.
    levels = [-35.0, -35.0, -32.0]
    assert [(c.victim, c.source) for c in candidates(levels, [-20.0, -20.0, None], S)] == [(0, 2), (1, 2)]
    assert candidates(levels, [-20.0, -20.0, None], evolve(S, unknown_dominance_db=S.dominance_db)) == []


def test_a_leaks_tail_is_compared_with_what_its_source_said_just_before() -> None:
    # The source has just fallen silent; its last syllable reaches the victim 20 ms later.
    levels, heard = [-70.0, -38.0], [-18.0, -38.0]
    assert candidates(levels, [-20.0, -20.0], S) == []
    assert [(c.victim, c.source, c.dominance) for c in candidates(levels, [-20.0, -20.0], S, heard)] == [(1, 0, 20.0)]


def test_silence_and_single_tracks_need_no_decision() -> None:
    assert candidates([-20.0, -90.0, -100.0], [-20.0, -25.0, None], S) == []
    assert candidates([-20.0], [None], S) == []


def test_unknown_speech_levels_are_stood_in_for() -> None:
    assert dominance(-20.0, -40.0, -20.0, -30.0) == 10.0  # both known: normalised
    assert dominance(-20.0, -40.0, -20.0, None) == 20.0  # one unknown: raw
    assert with_prior([-20.0, None, -30.0]) == [-20.0, -25.0, -30.0]
    assert with_prior([None, None]) == [None, None]


def test_judge_needs_correlation_and_a_plausible_delay() -> None:
    c = Candidate(1, 0, 20.0)
    assert judge([(c, 0.9, 0.015)], S) == {1: Evidence(0, 20.0, 0.9, 0.015)}
    assert judge([(c, 0.2, 0.015)], S) == {}  # loud but a different sound: a neighbour, not a leak
    assert judge([(c, 0.9, 0.2)], S) == {}  # too late to be the same room
    # Track 2 hears track 0's voice too and correlates better, but track 0 is the one far louder.
    best = judge([(c, 0.9, 0.01), (Candidate(1, 2, 10.0), 0.99, 0.002)], S)
    assert best[1].source == 0


@given(st.lists(st.floats(-80, 0, allow_nan=False), min_size=1, max_size=300), st.floats(0, 1))
def test_speech_level_is_a_percentile_within_half_a_bin(levels: list[float], p: float) -> None:
    tracker = SpeechLevel(percentile=p, min_frames=1)
    for lv in levels:
        tracker.add(lv)
    got = tracker.level()
    assert got is not None
    ordered = sorted(levels)
    exact = ordered[int(p * (len(ordered) - 1))]
    assert abs(got - exact) <= SpeechLevel.STEP


def test_speech_level_is_unknown_until_enough_frames() -> None:
    tracker = SpeechLevel(min_frames=3)
    tracker.add(-20)
    tracker.add(-20)
    assert tracker.level() is None
    tracker.add(-20)
    assert tracker.level() == pytest.approx(-19.75)


bools = st.lists(st.booleans(), max_size=200)


@given(bools, st.integers(1, 10), st.integers(0, 6))
def test_masked_runs_start_and_end_on_leaked_frames_and_are_long_enough(
    leaked: list[bool], min_frames: int, bridge: int
) -> None:
    mask = mask_runs(leaked, min_frames=min_frames, bridge_frames=bridge)
    assert len(mask) == len(leaked)
    i = 0
    while i < len(mask):
        if not mask[i]:
            i += 1
            continue
        j = i
        while j < len(mask) and mask[j]:
            j += 1
        assert leaked[i] and leaked[j - 1]
        assert j - i >= min_frames
        # inside a run no stretch of unleaked frames is longer than the bridge
        gap = 0
        for x in leaked[i:j]:
            gap = 0 if x else gap + 1
            assert gap <= bridge
        i = j


@given(bools, st.integers(1, 10), st.integers(0, 6))
def test_every_long_leaked_run_is_masked_and_no_unleaked_stretch_is(
    leaked: list[bool], min_frames: int, bridge: int
) -> None:
    mask = mask_runs(leaked, min_frames=min_frames, bridge_frames=bridge)
    for i in range(len(leaked) - min_frames + 1):
        if all(leaked[i : i + min_frames]):
            assert all(mask[i : i + min_frames])
    for i in range(len(leaked) - bridge):
        if not any(leaked[i : i + bridge + 1]):
            assert not any(mask[i : i + bridge + 1])


@given(bools, st.integers(1, 8), st.integers(0, 6), st.integers(0, 10), st.data())
def test_the_stream_decides_like_the_whole(
    leaked: list[bool], min_frames: int, bridge: int, quiet_bridge: int, data: st.DataObject
) -> None:
    quiet = data.draw(st.lists(st.booleans(), min_size=len(leaked), max_size=len(leaked)))
    least = min_frames + max(bridge, quiet_bridge)  # the blocks' least length the equality needs
    blocks: list[tuple[list[bool], list[bool]]] = []
    at = 0
    while at < len(leaked):
        n = data.draw(st.integers(least, least + 20))
        blocks.append((leaked[at : at + n], quiet[at : at + n]))
        at += n
    # the last block may be short: the stream ends there, as the meeting does
    kw = {"min_frames": min_frames, "bridge_frames": bridge, "quiet_bridge_frames": quiet_bridge}
    stream = MaskStream(**kw)
    out: list[bool] = []
    for b, q in blocks:
        decided = stream.push(b, q)
        if decided is not None:
            out += decided
    out += stream.finish()
    assert out == mask_runs(leaked, quiet=quiet, **kw)


def test_silence_between_leaked_words_joins_them_but_the_victims_own_sound_does_not() -> None:
    leaked = [True, True, False, False, False, False, True, True]
    silent = [False, False, True, True, True, True, False, False]
    kw = {"min_frames": 3, "bridge_frames": 1, "quiet_bridge_frames": 4}
    assert mask_runs(leaked, quiet=silent, **kw) == [True] * 8
    assert mask_runs(leaked, quiet=[False] * 8, **kw) == [False] * 8  # two short runs: kept
    assert mask_runs(leaked, **kw) == [False] * 8


def test_spans_carry_their_source_and_median_evidence() -> None:
    collector = SpanCollector(track=2, frame=0.02)
    ev = [Evidence(0, 20.0, 0.9, 0.012), Evidence(0, 22.0, 0.8, 0.014), Evidence(1, 9.0, 0.6, 0.03)]
    assert collector.push(1.00, False, None) is None
    for k, e in enumerate(ev):
        assert collector.push(1.02 + 0.02 * k, True, e) is None
    assert collector.push(1.08, True, None) is None  # a bridged frame
    span = collector.push(1.10, False, None)
    assert span is not None
    assert (span.track, span.source) == (2, 0)
    assert (span.start, span.end) == pytest.approx((1.02, 1.10))
    assert (span.dominance_db, span.correlation, span.delay) == (21.0, 0.85, 0.013)
    assert collector.close() is None


def test_two_voices_leaking_at_once_are_caught_together_but_a_talker_is_not() -> None:
    both = [(Candidate(1, 0, 15.0), 0.7, 0.01), (Candidate(1, 2, 9.0), 0.68, 0.02)]
    found = judge(both, S)
    assert found[1].source == 0 and found[1].correlation == pytest.approx((0.7**2 + 0.68**2) ** 0.5, abs=1e-3)
    # the victim's own voice is most of its signal: the two leaks explain too little of it
    assert judge([(Candidate(1, 0, 15.0), 0.4, 0.01), (Candidate(1, 2, 9.0), 0.3, 0.02)], S) == {}
    # track 2 is itself a leaked listener of track 0 here: it does not add up for track 1
    listener = [(Candidate(2, 0, 20.0), 0.95, 0.01), (Candidate(1, 0, 15.0), 0.6, 0.01), (Candidate(1, 2, 9.0), 0.6, 0)]
    assert set(judge(listener, S)) == {2}


@given(
    st.lists(
        st.tuples(st.integers(0, 3), st.integers(0, 3), st.floats(-1, 1), st.floats(0, 0.04)).filter(
            lambda t: t[0] != t[1]
        ),
        max_size=8,
    )
)
def test_judge_only_names_victims_and_sources_it_was_given(raw: list[tuple[int, int, float, float]]) -> None:
    found = [(Candidate(v, src, 10.0), corr, d) for v, src, corr, d in raw]
    for victim, ev in judge(found, S).items():
        assert (victim, ev.source) in {(v, src) for v, src, _, _ in raw}
        assert ev.correlation >= S.min_correlation - 1e-3


def test_bad_settings_are_refused() -> None:
    with pytest.raises(InvalidInputError):
        CrosstalkSettings(frame=0)
    with pytest.raises(InvalidInputError):
        CrosstalkSettings(level_percentile=2)
