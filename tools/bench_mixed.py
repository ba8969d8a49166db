"""``bench_pipeline.py --mixed``: diarization of mixed recordings on generated meetings with distinct voices.

For each speaker count and seed, ``synth_meeting.py --voices distinct`` writes a meeting whose
mixed MP4 (the Whereby-like file) goes through ``process_single_file`` with the diarizer, in a
fresh subprocess (peak RSS is its own). Reported per meeting, then per speaker count:

- speaker accuracy (``score.py`` after ``map_speakers``: best one-to-one mapping) with the count
  estimated, and with the true count given as the hint (``--speakers N``);
- speakers found (right in how many seeds), with and without the hint;
- DER of the diarizer's turns against the truth utterances (10 ms frames, 0.25 s collar around
  every reference boundary not scored, optimal one-to-one mapping; overlap is scored as the
  dominant speaker, as pyannote.metrics would with one label per frame);
- WER on the mixed file (mapped) and, for ``--multitrack-seeds``, the multitrack WER of the same
  meeting from its Daily raw tracks;
- diarization seconds (the session's ``feed`` + ``finish``, measured inside the same run as the
  transcription) as a fraction of the meeting's duration, and peak RSS.

The machine is shared: compare the ratios, not the seconds.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
TARGET_ACCURACY = {2: 0.95, 3: 0.95, 4: 0.95, 5: 0.90, 6: 0.90}
TARGET_DIARIZE_RTF = 0.02


def run_mixed(meeting: Path, out: Path, model: str, threads: int) -> dict[str, Any]:
    """The child: one mixed file through the single-file pipeline, the diarizer timed on the side."""
    import resource

    from reflector_adapters.asr.whisper import WhisperSettings, WhisperTranscriber
    from reflector_adapters.audio.pyav import PyAVAudioEngine
    from reflector_adapters.diarization.diarizer import EmbeddingDiarizer
    from reflector_core.audio_pipeline import process_single_file
    from reflector_core.diarization import SpeakerHint, attribute
    from reflector_core.exports import json as json_export
    from reflector_core.processing import ProcessingOptions, SourceFile

    truth = json.loads((meeting / "truth.json").read_text())
    mp4 = meeting / "whereby" / truth["whereby_key"]
    k = len({u["speaker"] for u in truth["utterances"]})
    transcriber = WhisperTranscriber(WhisperSettings(model=model, cpu_threads=threads))
    transcriber.model  # noqa: B018 - loaded before the clock starts
    timed = TimedDiarizer(EmbeddingDiarizer())
    timed.inner.load()
    t0 = time.perf_counter()
    result = process_single_file(
        SourceFile(mp4, mp4.name),
        audio=PyAVAudioEngine(),
        transcriber=transcriber,
        mp3_path=out / "audio.mp3",
        diarizer=timed,
        options=ProcessingOptions(),
    )
    seconds = time.perf_counter() - t0
    (out / "transcript.json").write_text(
        json_export.render(result.words, result.participants, duration=result.duration)
    )
    session = timed.sessions[-1]
    hinted = session.inner.finish(SpeakerHint(exactly=k))
    words, participants = attribute(result.words, hinted)
    (out / "transcript_hint.json").write_text(json_export.render(words, participants, duration=result.duration))
    turns = {"free": [list(map(float, (t.start, t.end, t.speaker))) for t in session.turns]}
    turns["hint"] = [list(map(float, (t.start, t.end, t.speaker))) for t in hinted]
    (out / "turns.json").write_text(json.dumps(turns))
    return {
        "seconds": round(seconds, 2),
        "diarize_seconds": round(session.seconds, 2),
        "diarize_cpu_seconds": round(session.cpu, 3),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "speakers": len(result.participants),
        "speakers_hint": len(participants),
    }


class TimedSession:
    """Wall seconds and CPU seconds of the diarizer's own work.

    CPU is this thread's (``time.thread_time``): the session runs on the calling thread, its BLAS is
    limited to one thread and Silero VAD runs single-threaded, so that is all of its work and none of
    Whisper's (whose OpenMP threads spin on between decodes and would be counted by ``process_time``).
    On a shared machine the wall seconds mostly measure the other processes.
    """

    def __init__(self, inner: Any) -> None:
        self.inner, self.seconds, self.cpu, self.turns = inner, 0.0, 0.0, []

    def feed(self, chunk: Any) -> None:
        t, c = time.perf_counter(), time.thread_time()
        self.inner.feed(chunk)
        self.seconds += time.perf_counter() - t
        self.cpu += time.thread_time() - c

    def finish(self, hint: Any) -> Any:
        t, c = time.perf_counter(), time.thread_time()
        self.turns = self.inner.finish(hint)
        self.seconds += time.perf_counter() - t
        self.cpu += time.thread_time() - c
        return self.turns


class TimedDiarizer:
    def __init__(self, inner: Any) -> None:
        self.inner, self.sessions = inner, []

    def session(self) -> TimedSession:
        self.sessions.append(TimedSession(self.inner.session()))
        return self.sessions[-1]


def run_cost(meeting: Path, minutes: float) -> dict[str, Any]:
    """The child of ``--diarize-cost``: the diarizer alone on ``minutes`` of the meeting's mixed audio.

    The file is decoded as a stream and played again (shifted in time) until ``minutes`` are reached,
    so memory holds one chunk at a time; peak RSS is this process's own.
    """
    import os
    import resource

    from reflector_adapters.audio.pyav import PyAVAudioEngine
    from reflector_adapters.diarization.diarizer import EmbeddingDiarizer
    from reflector_core.diarization import SpeakerHint
    from reflector_core.timeline import PcmChunk, TrackTimeline

    truth = json.loads((meeting / "truth.json").read_text())
    mp4 = meeting / "whereby" / truth["whereby_key"]
    engine = PyAVAudioEngine()
    probe = engine.probe(mp4).timeline
    timeline = TrackTimeline(offset=0.0, duration=probe.duration, gaps=())
    diarizer = EmbeddingDiarizer()
    diarizer.load()
    session = TimedSession(diarizer.session())
    total, shift, decode_cpu = minutes * 60, 0.0, 0.0
    while shift < total:
        c = time.thread_time()
        for chunk in engine.speech_audio(mp4, timeline, sample_rate=16_000, max_chunk=30.0):
            if shift + chunk.start >= total:
                break
            moved = PcmChunk(start=shift + chunk.start, data=chunk.data, sample_rate=chunk.sample_rate)
            decode_cpu += time.thread_time() - c
            session.feed(moved)
            c = time.thread_time()
        shift += timeline.duration
    turns = session.finish(SpeakerHint())
    return {
        "minutes": minutes,
        "diarize_cpu_seconds": round(session.cpu, 2),
        "diarize_wall_seconds": round(session.seconds, 2),
        "diarize_cpu_rtf": round(session.cpu / total, 4),
        "decode_cpu_seconds": round(decode_cpu, 2),
        "speakers": len({t.speaker for t in turns}),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "load_average": os.getloadavg()[0],
    }


def cost_table(meeting: Path, child: Any) -> list[dict[str, Any]]:
    """``--diarize-cost``: the diarizer's CPU time and peak RSS on 10 and 60 minutes of one meeting."""
    rows = [child("cost", meeting, None, minutes) for minutes in (10.0, 60.0)]
    for r in rows:
        print(json.dumps(r), flush=True)
    short, long = rows
    print(
        f"diarizer CPU seconds / duration: {short['diarize_cpu_rtf']:.4f} (10 min), {long['diarize_cpu_rtf']:.4f}"
        f" (60 min), target <= {TARGET_DIARIZE_RTF}; peak RSS 60/10 min: "
        f"{long['peak_rss_mb'] / short['peak_rss_mb']:.2f}x (target <= 1.25)"
    )
    return rows


def der(truth: dict[str, Any], turns: list[list[float]], *, collar: float = 0.25, step: float = 0.01) -> float:
    """Diarization error rate: (missed + false alarm + confusion) / reference speech, frames of ``step`` s."""
    from scipy.optimize import linear_sum_assignment

    n = int((truth["duration"] + 1) / step)
    ref = np.full(n, -1)
    scored = np.ones(n, dtype=bool)
    for u in sorted(truth["utterances"], key=lambda u: u["offset"] - u["onset"]):  # longer wins overlaps
        ref[int(u["onset"] / step) : int(u["offset"] / step)] = u["speaker"]
    for u in truth["utterances"]:
        for edge in (u["onset"], u["offset"]):
            scored[max(0, int((edge - collar) / step)) : int((edge + collar) / step)] = False
    hyp = np.full(n, -1)
    for start, end, spk in turns:
        hyp[int(start / step) : int(end / step)] = int(spk)
    ref, hyp = ref[scored], hyp[scored]
    speech = ref >= 0
    missed = int(np.sum(speech & (hyp < 0)))
    false_alarm = int(np.sum(~speech & (hyp >= 0)))
    both = speech & (hyp >= 0)
    labels_r, labels_h = sorted(set(ref[both].tolist())), sorted(set(hyp[both].tolist()))
    counts = np.zeros((len(labels_h), len(labels_r)))
    for h, r in zip(hyp[both].tolist(), ref[both].tolist(), strict=True):
        counts[labels_h.index(h), labels_r.index(r)] += 1
    rows, cols = linear_sum_assignment(counts, maximize=True) if counts.size else ([], [])
    confusion = int(both.sum()) - int(counts[rows, cols].sum())
    return (missed + false_alarm + confusion) / max(1, int(speech.sum()))


def mixed_table(args: argparse.Namespace, work: Path, child: Any) -> dict[str, Any]:
    """Generate, run and score every (count, seed); print one line each and a summary per count."""
    from score import load_hyp, map_speakers, score

    rows: list[dict[str, Any]] = []
    for k in args.counts:
        for seed in args.seeds:
            meeting = work / f"mixed-{k}-{seed}"
            if not (meeting / "truth.json").is_file():
                gen = [sys.executable, str(ROOT / "tools" / "synth_meeting.py"), "--out", str(meeting)]
                gen += ["--speakers", str(k), "--minutes", str(args.mixed_minutes), "--seed", str(seed)]
                subprocess.run([*gen, "--voices", "distinct"], check=True, stdout=subprocess.DEVNULL)
            truth = json.loads((meeting / "truth.json").read_text())
            out = work / f"mixed-{k}-{seed}-out"
            out.mkdir(parents=True, exist_ok=True)
            r = child("mixed", meeting, out)
            free = score(truth, map_speakers(truth, load_hyp(out / "transcript.json")))
            hint = score(truth, map_speakers(truth, load_hyp(out / "transcript_hint.json")))
            turns = json.loads((out / "turns.json").read_text())
            row = {
                "speakers": k,
                # a short meeting may not give every generated participant a turn: count who spoke
                "talkers": len({u["speaker"] for u in truth["utterances"]}),
                "seed": seed,
                "duration": truth["duration"],
                "found": r["speakers"],
                "found_hint": r["speakers_hint"],
                "accuracy": free["speaker_accuracy"],
                "accuracy_hint": hint["speaker_accuracy"],
                "der": round(der(truth, turns["free"]), 4),
                "der_hint": round(der(truth, turns["hint"]), 4),
                "wer_mixed": free["wer"],
                "diarize_rtf": round(r["diarize_seconds"] / truth["duration"], 4),
                "diarize_cpu_rtf": round(r["diarize_cpu_seconds"] / truth["duration"], 4),
                "diarize_share": round(r["diarize_seconds"] / r["seconds"], 3),
                "peak_rss_mb": r["peak_rss_mb"],
            }
            if seed in args.multitrack_seeds:
                mt = child("ours", meeting, work / f"mixed-{k}-{seed}-multitrack")
                row["wer_multitrack"] = mt["score"]["wer"]
            rows.append(row)
            print(json.dumps(row), flush=True)
    summary = summarise(rows)
    return {"rows": rows, "summary": summary}


def summarise(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    out = []
    print(
        "\nspeakers | count right (free / hint) | accuracy min, mean (free) | hint | DER mean"
        " | diarize CPU s / duration, max (wall)"
    )
    for k in sorted({r["speakers"] for r in rows}):
        mine = [r for r in rows if r["speakers"] == k]
        s = {
            "speakers": k,
            "seeds": len(mine),
            "count_right": sum(r["found"] == r["talkers"] for r in mine),
            "count_right_hint": sum(r["found_hint"] == r["talkers"] for r in mine),
            "accuracy_min": min(r["accuracy"] for r in mine),
            "accuracy_mean": round(float(np.mean([r["accuracy"] for r in mine])), 4),
            "accuracy_hint_mean": round(float(np.mean([r["accuracy_hint"] for r in mine])), 4),
            "der_mean": round(float(np.mean([r["der"] for r in mine])), 4),
            "diarize_rtf_max": max(r["diarize_rtf"] for r in mine),
            "diarize_cpu_rtf_max": max(r["diarize_cpu_rtf"] for r in mine),
            "wer_mixed_mean": round(float(np.mean([r["wer_mixed"] for r in mine])), 4),
        }
        mt = [r for r in mine if "wer_multitrack" in r]
        if mt:
            s["wer_gap_points"] = round(100 * float(np.mean([r["wer_mixed"] - r["wer_multitrack"] for r in mt])), 2)
        out.append(s)
        target = TARGET_ACCURACY.get(k, 0.90)
        print(
            f"{k:>8} | {s['count_right']}/{len(mine)} / {s['count_right_hint']}/{len(mine)}"
            f" | {s['accuracy_min']:.3f}, {s['accuracy_mean']:.3f} (target >= {target})"
            f" | {s['accuracy_hint_mean']:.3f} | {s['der_mean']:.3f} | {s['diarize_cpu_rtf_max']:.4f}"
            f" (target <= {TARGET_DIARIZE_RTF}; wall {s['diarize_rtf_max']:.4f})"
            + (f" | WER gap {s['wer_gap_points']:+.2f} pt" if mt else "")
        )
    return out
