from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from reflector_core.errors import CaptionParseError
from reflector_core.exports import json as json_export
from reflector_core.exports import srt, text, webvtt
from reflector_core.exports.cues import clean_text, cues_from_turns, format_timestamp, parse_timestamp, speaker_labels
from reflector_core.model import Participant, TrackFailure, Word
from reflector_core.turns import merge_turns
from tests.unit.strategies import meeting_words

NAMES = st.one_of(st.none(), st.text(min_size=1, max_size=20).filter(lambda s: clean_text(s) != ""))


@st.composite
def words_and_people(draw: st.DrawFn) -> tuple[list[Word], list[Participant]]:
    words = draw(meeting_words())
    speakers = sorted({w.speaker for w in words})
    people = [Participant(speaker=s, participant_id=f"p{s}", name=draw(NAMES)) for s in speakers]
    return words, people


def _expected(words: list[Word], people: list[Participant]) -> list[tuple[str, float, float, str]]:
    return [(c.speaker, c.start, c.end, c.text) for c in cues_from_turns(merge_turns(words), people)]


@given(words_and_people())
def test_webvtt_round_trips_turns_and_times(wp: tuple[list[Word], list[Participant]]) -> None:
    words, people = wp
    parsed = webvtt.parse(webvtt.render(merge_turns(words), people))
    expected = _expected(words, people)
    assert len(parsed) == len(expected)
    for cue, (label, start, end, body) in zip(parsed, expected, strict=True):
        assert (cue.speaker, cue.text) == (label, body)
        assert abs(cue.start - start) <= 0.001 and abs(cue.end - end) <= 0.001


@given(words_and_people())
def test_srt_round_trips_turns_and_times(wp: tuple[list[Word], list[Participant]]) -> None:
    words, people = wp
    labels = speaker_labels(people).values()
    parsed = srt.parse(srt.render(merge_turns(words), people), speakers=labels)
    expected = _expected(words, people)
    assert [(c.speaker, c.text) for c in parsed] == [(e[0], e[3]) for e in expected]
    for cue, e in zip(parsed, expected, strict=True):
        assert abs(cue.start - e[1]) <= 0.001 and abs(cue.end - e[2]) <= 0.001


@given(words_and_people())
def test_json_round_trips_words_and_participants(wp: tuple[list[Word], list[Participant]]) -> None:
    words, people = wp
    back, back_people = json_export.parse(json_export.render(words, people, duration=12.5))
    assert sorted((w.text.strip(), w.start, w.end, w.speaker) for w in back) == sorted(
        (w.text.strip(), round(w.start, 3), round(w.end, 3), w.speaker) for w in words
    )
    assert back_people == sorted(people, key=lambda p: p.speaker)


def test_webvtt_uses_voice_tags_and_escapes() -> None:
    words = [Word("a<b&c", 1.0, 1.5, 0), Word("hi", 2.0, 2.5, 1)]
    people = [Participant(0, "p0", "Ana <Host>"), Participant(1, "p1", None)]
    out = webvtt.render(merge_turns(words), people)
    assert out.startswith("WEBVTT\n\n00:00:01.000 --> 00:00:01.500\n<v Ana &lt;Host&gt;>a&lt;b&amp;c\n")
    assert "<v Speaker 1>hi" in out


def test_duplicate_names_stay_distinct_speakers() -> None:
    labels = speaker_labels([Participant(0, name="Alex"), Participant(1, name="Alex")])
    assert labels == {0: "Alex", 1: "Alex (1)"}


def test_json_shape_names_every_speaker_and_failure() -> None:
    data = json.loads(
        json_export.render(
            [Word(" Hello", 0.5, 0.9, 1)], [Participant(1, "pid", "Bo")], failed_tracks=[TrackFailure("k", "corrupt")]
        )
    )
    assert data["words"] == [{"text": "Hello", "start": 0.5, "end": 0.9, "speaker": 1}]
    assert data["participants"] == [{"speaker": 1, "participant_id": "pid", "name": "Bo"}]
    assert data["failed_tracks"] == [{"track": "k", "reason": "corrupt"}]


def test_text_export() -> None:
    out = text.render(
        merge_turns([Word("Hi", 61.0, 61.4, 0), Word("there.", 61.5, 62, 0)]), [Participant(0, name="Ana")]
    )
    assert out == "[00:01:01] Ana: Hi there.\n"


@pytest.mark.parametrize("seconds", [0, 0.001, 59.9995, 3599.999, 3600, 86399.5, 400000.123])
def test_timestamps_round_trip(seconds: float) -> None:
    assert parse_timestamp(format_timestamp(seconds), "x") == pytest.approx(seconds, abs=0.0006)


@pytest.mark.parametrize(
    "doc",
    [
        "",
        "NOT VTT",
        "WEBVTT\n\n00:00:01.000 -> 00:00:02.000\nhi\n",
        "WEBVTT\n\n00:00:03.000 --> 00:00:02.000\nhi\n",
        "WEBVTT\n\n00:99:01.000 --> 00:00:02.000\nhi\n",
        "WEBVTT\n\njust text\n",
    ],
)
def test_malformed_webvtt(doc: str) -> None:
    with pytest.raises(CaptionParseError):
        webvtt.parse(doc)


@pytest.mark.parametrize("doc", ["x\n00:00:01,000 --> 00:00:02,000\nA: hi\n", "1\n", "1\n00:00:01 --> 00:00:02\nhi"])
def test_malformed_srt(doc: str) -> None:
    with pytest.raises(CaptionParseError):
        srt.parse(doc)


@pytest.mark.parametrize(
    "doc",
    [
        "not json",
        "[]",
        '{"words": {}}',
        '{"words": [{"start": 0, "end": 1}]}',
        '{"words": [{"text": "a", "start": "0", "end": 1}]}',
        '{"words": [{"text": "a", "start": 2, "end": 1}]}',
        '{"words": [{"text": "a", "start": 0, "end": 1, "speaker": "x"}]}',
        '{"words": [{"text": "a", "start": NaN, "end": 1}]}',
        '{"words": [], "participants": [{"name": "x"}]}',
    ],
)
def test_malformed_json(doc: str) -> None:
    with pytest.raises(CaptionParseError):
        json_export.parse(doc)


@given(st.text())
def test_parsers_only_raise_caption_errors(doc: str) -> None:
    for parse in (webvtt.parse, srt.parse, json_export.parse):
        try:
            parse(doc)
        except CaptionParseError:
            pass


def test_the_language_is_a_webvtt_header_and_a_json_field() -> None:
    words = [Word("Hallo", 0.0, 0.5, 0), Word("zusammen", 0.5, 1.0, 0)]
    people = [Participant(0, name="Speaker 1")]
    vtt = webvtt.render(merge_turns(words), people, language="de")
    assert vtt.startswith("WEBVTT\nLanguage: de\n\n")
    assert [c.text for c in webvtt.parse(vtt)] == ["Hallo zusammen"]
    assert webvtt.render(merge_turns(words), people).startswith("WEBVTT\n\n")
    assert json.loads(json_export.render(words, people, language="de"))["language"] == "de"
    assert json.loads(json_export.render(words, people))["language"] is None


def test_one_waveform_serialiser_rounds_for_service_and_cli() -> None:
    # The service and `reflector process` both write waveform.json through this one function.
    from reflector_core.exports import waveform
    from reflector_core.model import Waveform

    out = json.loads(waveform.render(Waveform(peaks=(0.123456, 1.0), peaks_per_second=10.0, duration=1.23456)))
    assert out == {"duration": 1.235, "peaks_per_second": 10.0, "peaks": [0.1235, 1.0]}
