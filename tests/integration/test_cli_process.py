"""``reflector process`` end to end on the example meeting: real PyAV engine, real tiny.en model."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from reflector_app.commands.process import OUTPUTS
from reflector_core.exports import srt, webvtt

pytestmark = pytest.mark.slow

MEETING = Path(__file__).parents[2] / "examples" / "meeting"
TRACKS = sorted((MEETING / "tracks").iterdir())
AUDIO = Path(__file__).parents[1] / "fixtures" / "audio"
VOICES = AUDIO / "voices"


def reflector(*args: str | Path) -> subprocess.CompletedProcess[str]:
    cmd = [sys.executable, "-m", "reflector_app.cli", *map(str, args)]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=300)


def test_the_example_meeting_gives_all_six_outputs_with_names_and_times(tmp_path: Path) -> None:
    out = tmp_path / "out"
    done = reflector("process", *TRACKS, "--participants", MEETING / "participants.json", "--out", out)
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""  # quiet when not on a terminal
    assert sorted(p.name for p in out.iterdir()) == sorted(OUTPUTS)

    truth = json.loads((MEETING / "truth.json").read_text())
    doc = json.loads((out / "transcript.json").read_text())
    by_pid = {p["participant_id"]: p for p in truth["participants"]}
    assert {(p["participant_id"], p["name"]) for p in doc["participants"]} == {
        (pid, p["name"]) for pid, p in by_pid.items()
    }
    # Every utterance is found, on time, under the right speaker.
    speaker_pid = {p["speaker"]: p["participant_id"] for p in doc["participants"]}
    for u in truth["utterances"]:
        pid = truth["participants"][u["speaker"]]["participant_id"]
        near = [w for w in doc["words"] if abs(w["start"] - u["onset"]) < 0.25]
        assert near and speaker_pid[near[0]["speaker"]] == pid, u
    assert doc["failed_tracks"] == []
    assert doc["duration"] == pytest.approx(truth["duration"], abs=0.5)

    cues = webvtt.parse((out / "transcript.vtt").read_text())
    assert {c.speaker for c in cues} == {p["name"] for p in truth["participants"]}
    assert len(srt.parse((out / "transcript.srt").read_text())) == len(cues)
    assert "Alice:" in (out / "transcript.txt").read_text()
    wave = json.loads((out / "waveform.json").read_text())
    assert wave["duration"] == pytest.approx(truth["duration"], abs=0.5) and max(wave["peaks"]) > 0
    assert (out / "audio.mp3").read_bytes()[:3] in (b"ID3", b"\xff\xfb", b"\xff\xf3")

    # Meeting notes: offline, labelled, in transcript.json (the interface other tools read) and notes.md.
    notes = doc["notes"]
    assert set(notes) == {"title", "short_summary", "long_summary", "topics", "action_items", "method"}
    assert notes["method"] == "extractive" and notes["title"] and notes["topics"]
    assert set(notes["topics"][0]) == {"title", "summary", "start", "end"}
    assert all(set(a) == {"text", "speaker", "start"} for a in notes["action_items"])
    md = (out / "notes.md").read_text()
    assert md.startswith(f"# {notes['title']}") and "Extractive notes" in md


def test_notes_are_rewritten_for_a_folder_and_a_dead_llm_falls_back(tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    words = [
        {"text": w, "start": i * 0.5, "end": i * 0.5 + 0.4, "speaker": i // 8}
        for i, w in enumerate(
            [
                "I",
                "will",
                "send",
                "the",
                "budget",
                "numbers",
                "by",
                "Friday.",
                "Can",
                "you",
                "book",
                "the",
                "room",
                "for",
                "Monday?",
            ]
        )
    ]
    (out / "transcript.json").write_text(json.dumps({"duration": 9.0, "participants": [], "words": words}))
    env = {**os.environ, "REFLECTOR_LLM_URL": "http://127.0.0.1:9/v1", "REFLECTOR_LLM_MODEL": "m"}
    cmd = [sys.executable, "-m", "reflector_app.cli", "notes", str(out)]
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=120, env=env)
    assert done.returncode == 0, done.stderr
    notes = json.loads((out / "transcript.json").read_text())["notes"]
    assert notes["method"] == "extractive"  # the LLM port is closed: the offline writer answered
    # A commitment is its speaker's; a request nobody answered has no known owner.
    assert [a["speaker"] for a in notes["action_items"]] == ["Speaker 0", None]
    assert (out / "notes.md").is_file()
    assert "connection failed" in done.stderr or done.stderr == ""


def test_bad_files_are_named_on_one_line_each_and_the_rest_is_transcribed(tmp_path: Path) -> None:
    corrupt = tmp_path / "1773480604000-11111111-1111-4111-8111-111111111111-cam-audio-1773480604100"
    corrupt.write_text("this is not audio\n")
    missing = tmp_path / "1773480604000-21111111-1111-4111-8111-111111111111-cam-audio-1773480604200"
    good = tmp_path / "tracks"
    good.mkdir()
    for t in TRACKS[:2]:
        shutil.copy(t, good / t.name)
    out = tmp_path / "out"
    done = reflector("process", corrupt, *sorted(good.iterdir()), missing, "--out", out)
    assert done.returncode == 1
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 2, done.stderr
    assert sum(str(corrupt) in line for line in lines) == 1
    assert sum(str(missing) in line and "no such file" in line for line in lines) == 1
    doc = json.loads((out / "transcript.json").read_text())
    assert {f["track"] for f in doc["failed_tracks"]} == {str(corrupt), str(missing)}
    pids = {p["speaker"]: p["participant_id"] for p in doc["participants"]}
    spoke = {pids[w["speaker"]] for w in doc["words"]}
    assert spoke == {t.name.split("-cam-")[0][14:] for t in TRACKS[:2]}
    assert (out / "audio.mp3").stat().st_size > 0


def test_one_mixed_recording_without_diarization_is_one_speaker(tmp_path: Path) -> None:
    mixed = next((MEETING / "mixed").iterdir())
    done = reflector("process", mixed, "--no-diarization", "--out", tmp_path)
    assert done.returncode == 0, done.stderr
    doc = json.loads((tmp_path / "transcript.json").read_text())
    assert {w["speaker"] for w in doc["words"]} == {0} and len(doc["words"]) > 50
    assert "Speaker 0:" in (tmp_path / "transcript.txt").read_text()


def _speaker_accuracy(doc: dict[str, Any], truth: dict[str, Any]) -> float:
    """Share of words inside a truth utterance whose speaker maps (best one-to-one) onto its speaker."""
    from scipy.optimize import linear_sum_assignment

    counts = np.zeros((10, 10))
    for w in doc["words"]:
        mid = (w["start"] + w["end"]) / 2
        owners = {u["speaker"] for u in truth["utterances"] if u["onset"] - 0.05 <= mid <= u["offset"] + 0.05}
        if len(owners) == 1:
            counts[w["speaker"], owners.pop()] += 1
    rows, cols = linear_sum_assignment(-counts)
    return float(counts[rows, cols].sum() / counts.sum())


def test_a_mixed_recording_is_diarized_into_one_participant_per_voice(tmp_path: Path) -> None:
    done = reflector("process", VOICES / "three.mp4", "--out", tmp_path)
    assert done.returncode == 0, done.stderr
    doc = json.loads((tmp_path / "transcript.json").read_text())
    assert [p["name"] for p in doc["participants"]] == ["Speaker 1", "Speaker 2", "Speaker 3"]
    assert {w["speaker"] for w in doc["words"]} == {0, 1, 2}
    assert _speaker_accuracy(doc, json.loads((VOICES / "three.json").read_text())) >= 0.95
    assert "Speaker 3:" in (tmp_path / "transcript.txt").read_text()


def test_speakers_hint_one_voice_tones_and_a_two_second_file(tmp_path: Path) -> None:
    done = reflector("process", VOICES / "three.mp4", "--speakers", "2", "--out", tmp_path / "hint")
    assert done.returncode == 0, done.stderr
    assert len(json.loads((tmp_path / "hint" / "transcript.json").read_text())["participants"]) == 2
    done = reflector("process", VOICES / "one.mp4", "--out", tmp_path / "one")
    assert done.returncode == 0, done.stderr
    one = json.loads((tmp_path / "one" / "transcript.json").read_text())
    assert len(one["participants"]) == 1 and {w["speaker"] for w in one["words"]} == {0}
    done = reflector("process", AUDIO / "tone_aac.mp4", "--out", tmp_path / "tones")
    assert done.returncode == 0, done.stderr
    tones = json.loads((tmp_path / "tones" / "transcript.json").read_text())
    assert tones["words"] == [] and tones["participants"] == []
    done = reflector("process", VOICES / "short.mp4", "--out", tmp_path / "short")
    assert done.returncode == 0, done.stderr
    assert len(json.loads((tmp_path / "short" / "transcript.json").read_text())["participants"]) <= 1
    assert reflector("process", VOICES / "one.mp4", "--speakers", "0", "--out", tmp_path / "x").returncode == 2


def test_an_unknown_model_is_a_one_line_configuration_error(tmp_path: Path) -> None:
    done = reflector("process", TRACKS[0], "--model", "large-v9", "--out", tmp_path / "out")
    assert done.returncode == 2
    assert done.stderr.count("\n") == 1 and "unknown model 'large-v9'" in done.stderr
    assert not (tmp_path / "out").exists()


def test_inspect_prints_one_json_line_per_track_and_names_bad_ones(tmp_path: Path) -> None:
    missing = tmp_path / "nothing.webm"
    done = reflector("inspect", *TRACKS, missing)
    assert done.returncode == 1
    rows = [json.loads(line) for line in done.stdout.splitlines()]
    assert [r["file"] for r in rows] == [str(t) for t in TRACKS]
    truth = json.loads((MEETING / "truth.json").read_text())
    joins = sorted(t["join"] for t in truth["tracks"])
    assert sorted(r["start"] for r in rows) == pytest.approx(joins, abs=0.05)
    assert all(r["offset"]["filename"] - r["offset"]["metadata"] == pytest.approx(0.209, abs=0.01) for r in rows)
    assert sum(len(r["gaps"]) for r in rows) == sum(len(t["muted"]) for t in truth["tracks"])
    assert str(missing) in done.stderr and done.stderr.count("\n") == 1
    assert all(r["crosstalk"] == [] for r in rows)  # every participant alone at a microphone


def test_inspect_names_the_track_whose_voice_leaks_into_another() -> None:
    folder = Path(__file__).parents[1] / "fixtures" / "audio" / "crosstalk"
    truth = json.loads((folder / "truth.json").read_text())
    tracks = sorted(folder.glob("*-cam-audio-*"))
    done = reflector("inspect", *tracks)
    assert done.returncode == 0, done.stderr
    rows = {Path(r["file"]).name: r for r in map(json.loads, done.stdout.splitlines())}
    speaker = {t["s3Key"].rsplit("/", 1)[-1]: t["speaker"] for t in truth["tracks"]}
    for name, row in rows.items():
        assert row["crosstalk"], name  # everyone hears the others in this fixture
        for span in row["crosstalk"]:
            source = speaker[Path(span["crosstalk_from"]).name]
            mid = (span["start"] + span["end"]) / 2
            talking = {u["speaker"] for u in truth["utterances"] if u["onset"] - 0.1 <= mid <= u["offset"] + 0.1}
            assert source in talking and speaker[name] not in talking
            assert 0 <= span["delay_ms"] <= 40
    plain = reflector("inspect", "--no-crosstalk", *tracks)
    assert all("crosstalk" not in json.loads(line) for line in plain.stdout.splitlines())


def test_language_auto_is_detected_and_exported_and_tiny_en_refuses_other_languages(tmp_path: Path) -> None:
    done = reflector("process", VOICES / "one.mp4", "--language", "de", "--out", tmp_path / "de")
    assert done.returncode == 2
    assert "'tiny.en' is English-only: use --model base" in done.stderr and done.stderr.count("\n") == 1
    done = reflector("process", VOICES / "one.mp4", "--model", "base", "--language", "auto", "--out", tmp_path / "a")
    assert done.returncode == 0, done.stderr
    assert json.loads((tmp_path / "a" / "transcript.json").read_text())["language"] == "en"
    assert (tmp_path / "a" / "transcript.vtt").read_text().startswith("WEBVTT\nLanguage: en\n\n")
