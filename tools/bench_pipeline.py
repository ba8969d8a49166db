"""Benchmark: Reflector's multitrack pipeline against the full-track baseline, on a generated meeting.

    python tools/bench_pipeline.py [--long] [--minutes N] [--model tiny.en|base|PATH] [--no-baseline]

Generates a 4-speaker meeting (10 minutes; 60 with ``--long``) plus one participant who stays
unmuted and never speaks, with ``tools/synth_meeting.py`` into a temporary directory, then runs in
fresh subprocesses (so peak RSS is each strategy's own):

- ours: ``process_multitrack`` (probe → VAD-gated, packed Whisper per track → merge → mixdown);
- baseline: what the reference system does: pad every track with silence to the meeting timeline
  by re-encoding it, mix the padded files, transcribe every padded full-length track (no VAD,
  faster-whisper defaults) with the same model.

Prints per-stage seconds, real-time factor, peak RSS, WER and timing errors (``tools/score.py``),
the silent participant's word count and the baseline/ours time ratio; ``--json FILE`` saves them.
Ours runs ``--repeat`` times with and without the crosstalk analysis, alternating: the CPU time it
adds is compared pair by pair (median and range), then the analysis alone on the read of all tracks.

``--mixed`` prints the diarization table instead (``tools/bench_mixed.py``): generated mixed
recordings with distinct voices for ``--counts`` speakers × ``--seeds``, each through
``process_single_file`` with the diarizer; speaker accuracy, count, DER, WER vs multitrack, the
diarizer's CPU seconds (its thread's) and wall seconds per second of meeting, time share.
``--diarize-cost`` runs the diarizer alone on 10 and 60 minutes of a generated 10-minute meeting
(played six times for 60): CPU seconds per second of meeting and peak RSS, each in a fresh process.

``--bleed`` prints the crosstalk table instead: 3-speaker meetings (``--bleed-minutes``, 3 by
default) with crosstalk at -15..-30 dB, overlapping speech, and one track 12 dB quieter; per case
the per-speaker WER, speaker accuracy, duplicated words (a word given to someone who was not
talking, inside another's utterance) and the reference words found, with the analysis on (and off
where "today" is the comparison).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from fractions import Fraction
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "tools"))

TARGET_RTF = 0.06

import bench_mixed  # noqa: E402 - tools/ is on the path only from here


def cpu_seconds() -> float:
    """CPU time of this process (all threads): less distorted than wall time by other jobs on the machine."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux reports KiB


# --- ours --------------------------------------------------------------------------------------


def run_ours(meeting: Path, out: Path, model: str, threads: int, crosstalk: bool = True) -> dict[str, Any]:
    from reflector_adapters.asr.whisper import WhisperSettings, WhisperTranscriber
    from reflector_adapters.audio.pyav import PyAVAudioEngine
    from reflector_core.audio_pipeline import process_multitrack
    from reflector_core.crosstalk import CrosstalkSettings
    from reflector_core.exports import json as json_export
    from reflector_core.processing import SourceFile

    truth = json.loads((meeting / "truth.json").read_text())
    files = [SourceFile(meeting / "daily" / t["s3Key"], t["s3Key"]) for t in truth["tracks"]]
    t0 = time.perf_counter()
    transcriber = WhisperTranscriber(WhisperSettings(model=model, cpu_threads=threads))
    transcriber.model  # noqa: B018 - load now, so the stage times below are pure work
    stages: dict[str, list[float]] = {"load model": [t0, time.perf_counter()]}

    def progress(stage: str, _done: float, _total: float) -> None:
        now = time.perf_counter()
        stages.setdefault(stage, [now, now])[1] = now

    result = process_multitrack(
        files,
        audio=PyAVAudioEngine(),
        transcriber=transcriber,
        mp3_path=out / "audio.mp3",
        progress=progress,
        crosstalk_settings=CrosstalkSettings() if crosstalk else None,
    )
    total = time.perf_counter() - t0
    (out / "transcript.json").write_text(
        json_export.render(result.words, result.participants, duration=result.duration)
    )
    return {
        "seconds": round(total, 2),
        "cpu_seconds": round(cpu_seconds(), 2),
        "stages": {k: round(b - a, 2) for k, (a, b) in stages.items()},
        "peak_rss_mb": round(peak_rss_mb(), 1),
        "failed_tracks": [f.reason for f in result.failed_tracks],
        "crosstalk_spans": len(result.crosstalk),
        "crosstalk_seconds": round(sum(c.duration for c in result.crosstalk), 1),
    }


# --- baseline ----------------------------------------------------------------------------------


def _frames(path: Path, rate: int) -> Iterator[tuple[float, Any]]:
    """(meeting time, mono float32 samples) of every decoded frame, resampled to ``rate``."""
    import av

    with av.open(str(path)) as container:
        stream = container.streams.audio[0]
        resampler = av.AudioResampler(format="flt", layout="mono", rate=rate)
        for frame in container.decode(stream):
            if frame.pts is None:
                continue
            t = float(frame.pts * frame.time_base)
            for r in resampler.resample(frame):
                yield t, r.to_ndarray()[0]


def pad_track(src: Path, dst: Path, duration: float, rate: int = 48_000) -> None:
    """Re-encode ``src`` to Opus with silence from 0 to its offset and in every gap (``adelay``+``aresample``)."""
    import av
    import numpy as np

    with av.open(str(dst), "w", format="webm") as out:
        stream = out.add_stream("libopus", rate=rate, layout="mono")
        written = 0

        def put(samples: Any) -> None:
            nonlocal written
            frame = av.AudioFrame.from_ndarray(samples.reshape(1, -1).astype(np.float32), format="flt", layout="mono")
            frame.sample_rate, frame.pts, frame.time_base = rate, written, Fraction(1, rate)
            written += samples.size
            for packet in stream.encode(frame):
                out.mux(packet)

        for t, samples in _frames(src, rate):
            gap = round(t * rate) - written
            while gap > 0:
                n = min(gap, rate)
                put(np.zeros(n, dtype=np.float32))
                gap -= n
            put(samples)
        end = round(duration * rate)
        while written < end:
            put(np.zeros(min(rate, end - written), dtype=np.float32))
        for packet in stream.encode(None):
            out.mux(packet)


def mix_padded(paths: list[Path], mp3: Path, rate: int = 48_000) -> None:
    """``amix`` of aligned files: decode them side by side and sum, one second at a time."""
    import av
    import numpy as np

    sources = [_frames(p, rate) for p in paths]
    buffers = [np.zeros(0, dtype=np.float32) for _ in paths]
    done = [False] * len(paths)
    with av.open(str(mp3), "w") as out:
        stream = out.add_stream("libmp3lame", rate=rate, layout="mono")
        written = 0
        while not all(done):
            for i, src in enumerate(sources):
                while not done[i] and buffers[i].size < rate:
                    try:
                        buffers[i] = np.concatenate([buffers[i], next(src)[1]])
                    except StopIteration:
                        done[i] = True
            n = (
                max(b.size for b in buffers)
                if all(done)
                else min(b.size for b, d in zip(buffers, done, strict=False) if not d)
            )
            if n == 0:
                break
            mixed = np.zeros(n, dtype=np.float32)
            for i, b in enumerate(buffers):
                mixed[: min(n, b.size)] += b[:n]
                buffers[i] = b[n:]
            frame = av.AudioFrame.from_ndarray(np.clip(mixed, -1, 1).reshape(1, -1), format="flt", layout="mono")
            frame.sample_rate, frame.pts, frame.time_base = rate, written, Fraction(1, rate)
            written += n
            for packet in stream.encode(frame):
                out.mux(packet)
        for packet in stream.encode(None):
            out.mux(packet)


def run_baseline(meeting: Path, out: Path, model: str, threads: int) -> dict[str, Any]:
    from faster_whisper import WhisperModel

    from reflector_adapters.asr.models import resolve_model
    from reflector_adapters.audio.pyav import PyAVAudioEngine
    from reflector_core.audio_pipeline import order_tracks
    from reflector_core.exports import json as json_export
    from reflector_core.model import Participant, Word
    from reflector_core.processing import SourceFile

    truth = json.loads((meeting / "truth.json").read_text())
    tracks, _ = order_tracks([SourceFile(meeting / "daily" / t["s3Key"], t["s3Key"]) for t in truth["tracks"]])
    engine = PyAVAudioEngine()
    stages: dict[str, float] = {}
    t0 = time.perf_counter()
    whisper = WhisperModel(str(resolve_model(model).path), device="cpu", compute_type="int8", cpu_threads=threads)
    stages["load model"] = time.perf_counter() - t0

    t = time.perf_counter()
    ends = [engine.probe(x.path, filename_offset=x.filename_offset).timeline.end for x in tracks]
    duration = max(ends)
    padded = [out / f"padded_{i}.webm" for i in range(len(tracks))]
    for x, dst in zip(tracks, padded, strict=True):
        pad_track(x.path, dst, duration)
    stages["pad"] = time.perf_counter() - t

    t = time.perf_counter()
    mix_padded(padded, out / "audio.mp3")
    stages["mixdown"] = time.perf_counter() - t

    t = time.perf_counter()
    words: list[Word] = []
    for speaker, path in enumerate(padded):
        segments, _ = whisper.transcribe(str(path), language="en", word_timestamps=True)
        for seg in segments:
            for w in seg.words or ():
                if w.word.strip():
                    words.append(Word(w.word, max(0.0, w.start), max(w.start, w.end, 0.0), speaker))
    stages["transcribe"] = time.perf_counter() - t
    total = time.perf_counter() - t0
    participants = [x.participant or Participant(i) for i, x in enumerate(tracks)]
    (out / "transcript.json").write_text(json_export.render(words, participants, duration=duration))
    return {
        "seconds": round(total, 2),
        "stages": {k: round(v, 2) for k, v in stages.items()},
        "peak_rss_mb": round(peak_rss_mb(), 1),
    }


# --- driver ------------------------------------------------------------------------------------


def child(strategy: str, meeting: Path, out: Path, model: str, threads: int, score_it: bool = True) -> dict[str, Any]:
    """Run one strategy in a fresh interpreter and return its report (stdout's last line)."""
    out.mkdir(parents=True, exist_ok=True)
    cmd = [sys.executable, __file__, "--child", strategy, "--meeting", str(meeting), "--out", str(out)]
    cmd += ["--model", model, "--threads", str(threads)]
    done = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"{strategy} failed:\n{done.stderr}")
    report: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    if not score_it:
        return report
    from score import load_hyp, score

    truth = json.loads((meeting / "truth.json").read_text())
    report["score"] = score(truth, load_hyp(out / "transcript.json"))
    return report


def cost_child(strategy: str, meeting: Path, out: Path | None, minutes: float) -> dict[str, Any]:
    """``--diarize-cost``'s child in a fresh interpreter (its peak RSS is its own)."""
    cmd = [sys.executable, __file__, "--child", strategy, "--meeting", str(meeting), "--minutes", str(minutes)]
    done = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"{strategy} failed:\n{done.stderr}")
    report: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return report


def show(name: str, r: dict[str, Any], duration: float) -> None:
    s = r["score"]
    stages = ", ".join(f"{k} {v:.1f}" for k, v in r["stages"].items())
    print(f"\n{name}")
    print(f"  time           {r['seconds']:.1f} s  (RTF {r['seconds'] / duration:.3f})   stages: {stages}")
    print(f"  peak RSS       {r['peak_rss_mb']:.0f} MB")
    print(f"  WER            {s['wer']:.2%}  (speakers ignored {s['wer_any_speaker']:.2%})")
    print(
        f"  onset error    median {s['onset_err_median']} s, p90 {s['onset_err_p90']} s;"
        f"  offset median {s['offset_err_median']} s  ({s['matched_utterances']}/{s['utterances']} utterances)"
    )
    print(f"  silent participant: {s['silent_words']} words   unattributed: {s['unattributed_words']}")


def _ints(text: str) -> list[int]:
    return [int(x) for x in text.split(",") if x.strip()]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--long", action="store_true", help="a 60-minute meeting instead of 10")
    ap.add_argument("--minutes", type=float, help="meeting length (overrides --long)")
    ap.add_argument("--model", default="tiny.en")
    ap.add_argument("--threads", type=int, default=os.cpu_count() or 1)
    ap.add_argument("--seed", type=int, default=11)
    ap.add_argument("--no-baseline", action="store_true", help="skip the (slow) full-track baseline")
    ap.add_argument(
        "--repeat", type=int, default=3, help="runs of ours with and without the crosstalk analysis (alternating)"
    )
    ap.add_argument("--keep", type=Path, help="work in this directory and keep it (default: a temporary one)")
    ap.add_argument("--json", type=Path, help="also write the results here")
    ap.add_argument(
        "--bleed",
        action="store_true",
        help="the crosstalk table instead: 3-speaker meetings with crosstalk, overlap and a quiet track",
    )
    ap.add_argument("--bleed-minutes", type=float, default=3.0, help="length of each --bleed meeting")
    ap.add_argument("--mixed", action="store_true", help="the diarization table instead (tools/bench_mixed.py)")
    ap.add_argument("--counts", type=_ints, default=[2, 3, 4, 5, 6], help="--mixed: speaker counts (2,3,4)")
    ap.add_argument("--seeds", type=_ints, default=[1, 2, 3, 4, 5], help="--mixed: seeds")
    ap.add_argument("--multitrack-seeds", type=_ints, default=[1], help="--mixed: seeds also run as multitrack")
    ap.add_argument("--mixed-minutes", type=float, default=3.0, help="length of each --mixed meeting")
    ap.add_argument(
        "--diarize-cost",
        action="store_true",
        help="the diarizer alone: CPU seconds and peak RSS on 10 and 60 minutes of a 10-minute mixed meeting",
    )
    ap.add_argument(
        "--child",
        choices=["ours", "ours-no-crosstalk", "baseline", "mixed", "cost", "read"],
        help=argparse.SUPPRESS,
    )
    ap.add_argument("--meeting", type=Path, help=argparse.SUPPRESS)
    ap.add_argument("--out", type=Path, help=argparse.SUPPRESS)
    args = ap.parse_args()

    if args.child:
        if args.child == "baseline":
            report = run_baseline(args.meeting, args.out, args.model, args.threads)
        elif args.child == "mixed":
            report = bench_mixed.run_mixed(args.meeting, args.out, args.model, args.threads)
        elif args.child == "cost":
            report = bench_mixed.run_cost(args.meeting, args.minutes)
        elif args.child == "read":
            report = run_read(args.meeting)
        else:
            report = run_ours(args.meeting, args.out, args.model, args.threads, crosstalk=args.child == "ours")
        print(json.dumps(report))
        return
    if args.bleed:
        bleed_table(args)
        return
    if args.diarize_cost:
        with tempfile.TemporaryDirectory(prefix="reflector-bench-") as tmp:
            meeting = (args.keep or Path(tmp)) / "mixed-cost"
            if not (meeting / "truth.json").is_file():
                gen = [sys.executable, str(ROOT / "tools" / "synth_meeting.py"), "--out", str(meeting)]
                gen += ["--speakers", "4", "--minutes", "10", "--seed", str(args.seed), "--voices", "distinct"]
                subprocess.run(gen, check=True, stdout=subprocess.DEVNULL)
            rows = bench_mixed.cost_table(meeting, cost_child)
            if args.json:
                args.json.write_text(json.dumps(rows, indent=1))
        return
    if args.mixed:
        with tempfile.TemporaryDirectory(prefix="reflector-bench-") as tmp:
            work = args.keep or Path(tmp)
            results = bench_mixed.mixed_table(
                args, work, lambda strategy, meeting, out: child(strategy, meeting, out, args.model, args.threads)
            )
            if args.json:
                args.json.write_text(json.dumps(results, indent=1))
        return

    minutes = args.minutes or (60.0 if args.long else 10.0)
    with tempfile.TemporaryDirectory(prefix="reflector-bench-") as tmp:
        work = args.keep or Path(tmp)
        meeting = work / "meeting"
        if not (meeting / "truth.json").is_file():
            t = time.perf_counter()
            gen = [sys.executable, str(ROOT / "tools" / "synth_meeting.py"), "--out", str(meeting)]
            gen += ["--speakers", "4", "--silent", "1", "--minutes", str(minutes), "--seed", str(args.seed)]
            subprocess.run(gen, check=True, stdout=subprocess.DEVNULL)
            print(f"generated a {minutes:g}-minute meeting in {time.perf_counter() - t:.0f} s: {meeting}")
        truth = json.loads((meeting / "truth.json").read_text())
        duration = float(truth["duration"])
        results: dict[str, Any] = {"duration": duration, "model": args.model, "threads": args.threads}
        crosstalk_cost(args, meeting, work, results, duration)
        if not args.no_baseline:
            results["baseline"] = child("baseline", meeting, work / "baseline", args.model, args.threads)
            show("baseline (pad + amix + full-track Whisper, no VAD)", results["baseline"], duration)
            ratio = results["baseline"]["seconds"] / results["ours"]["seconds"]
            results["speedup"] = round(ratio, 2)
            print(f"\nbaseline / ours: {ratio:.1f}x faster")
        rtf = results["ours"]["seconds"] / duration
        print(
            f"ours RTF {rtf:.3f} (target <= {TARGET_RTF}); silent participant words: "
            f"{results['ours']['score']['silent_words']} (target 0)"
        )
        if args.json:
            args.json.write_text(json.dumps(results, indent=1))


def crosstalk_cost(
    args: argparse.Namespace, meeting: Path, work: Path, results: dict[str, Any], duration: float
) -> None:
    """The pipeline with and without the crosstalk analysis, ``--repeat`` pairs in alternating order.

    CPU time (user + system, all threads) of each whole run, compared pair by pair: on a shared
    machine wall time mostly measures the other jobs. Then the analysis alone: the lockstep read of
    all tracks with and without it, in one process, alternating.
    """
    runs: dict[str, list[dict[str, Any]]] = {"ours": [], "ours-no-crosstalk": []}
    for r in range(args.repeat):
        order = ["ours", "ours-no-crosstalk"] if r % 2 == 0 else ["ours-no-crosstalk", "ours"]
        for strategy in order:
            runs[strategy].append(child(strategy, meeting, work / f"{strategy}-{r}", args.model, args.threads))
    results["ours"], results["ours_no_crosstalk"] = runs["ours"][0], runs["ours-no-crosstalk"][0]
    show(f"ours ({args.model}, int8, {args.threads} threads)", results["ours"], duration)
    show("ours without the crosstalk analysis", results["ours_no_crosstalk"], duration)
    pairs = list(zip(runs["ours"], runs["ours-no-crosstalk"], strict=True))
    cpu = sorted(on["cpu_seconds"] / off["cpu_seconds"] - 1 for on, off in pairs)
    wall = sorted(on["seconds"] / off["seconds"] - 1 for on, off in pairs)
    results["crosstalk_added_cpu"] = [round(x, 4) for x in cpu]
    results["crosstalk_added_time"] = [round(x, 4) for x in wall]
    print(
        f"\ncrosstalk analysis, whole runs ({len(pairs)} pairs): CPU time {statistics.median(cpu):+.1%} median "
        f"(range {cpu[0]:+.1%} .. {cpu[-1]:+.1%}), wall {statistics.median(wall):+.1%} "
        f"({wall[0]:+.1%} .. {wall[-1]:+.1%}); target <= +5%"
    )
    alone = child("read", meeting, work / "read", args.model, args.threads, score_it=False)
    added = sorted(on - off for on, off in zip(alone["on"], alone["off"], strict=True))
    whole = statistics.median(off["cpu_seconds"] for _, off in pairs)
    results["crosstalk_read_cpu"] = alone
    print(
        f"the analysis alone (read of all tracks with / without it, {len(added)} pairs): "
        f"{statistics.median(added):+.2f} CPU-s median ({added[0]:+.2f} .. {added[-1]:+.2f}) = "
        f"{statistics.median(added) / whole:+.1%} of a whole run's {whole:.1f} CPU-s"
    )


def run_read(meeting: Path, repeat: int = 5) -> dict[str, Any]:
    """CPU seconds of ``meeting_speech`` over the meeting (no transcription), with and without the analysis."""
    from reflector_adapters.audio.pyav import PyAVAudioEngine
    from reflector_core.audio_pipeline import order_tracks
    from reflector_core.crosstalk import CrosstalkSettings
    from reflector_core.ports import MixInput
    from reflector_core.processing import SourceFile

    truth = json.loads((meeting / "truth.json").read_text())
    tracks, _ = order_tracks([SourceFile(meeting / "daily" / t["s3Key"], t["s3Key"]) for t in truth["tracks"]])
    engine = PyAVAudioEngine()
    inputs = [MixInput(t.path, engine.probe(t.path, filename_offset=t.filename_offset).timeline) for t in tracks]
    out: dict[str, Any] = {"on": [], "off": []}
    for r in range(repeat):
        for key in ("off", "on") if r % 2 == 0 else ("on", "off"):
            before = cpu_seconds()
            for _ in engine.meeting_speech(inputs, crosstalk=CrosstalkSettings() if key == "on" else None):
                pass
            out[key].append(round(cpu_seconds() - before, 3))
    return out


# --- crosstalk table (--bleed) -----------------------------------------------------------------

BLEED_CASES: list[tuple[str, list[str], bool]] = [
    # name, synth_meeting.py options, also run without the analysis ("today")
    ("no crosstalk", [], False),
    ("bleed -15 dB", ["--bleed-db", "-15"], False),
    ("bleed -20 dB", ["--bleed-db", "-20"], False),
    ("bleed -25 dB", ["--bleed-db", "-25"], True),
    ("bleed -30 dB", ["--bleed-db", "-30"], False),
    ("overlap 0.35", ["--overlap", "0.35"], True),  # "today" = the analysis off: words lost by it
    ("overlap 0.35 + bleed -25 dB", ["--overlap", "0.35", "--bleed-db", "-25"], False),
    ("track 2 -12 dB", ["--level-db", "2=-12"], False),
    ("track 2 -12 dB + bleed -15 dB", ["--level-db", "2=-12", "--bleed-db", "-15"], False),
    ("track 2 -12 dB + bleed -25 dB", ["--level-db", "2=-12", "--bleed-db", "-25"], False),
]


def bleed_table(args: argparse.Namespace) -> None:
    """Per case: WER, speaker accuracy, duplicated words, words found; with and without the analysis."""
    rows: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory(prefix="reflector-bleed-") as tmp:
        work = args.keep or Path(tmp)
        for name, options, also_off in BLEED_CASES:
            meeting = work / name.replace(" ", "_").replace("+", "and")
            if not (meeting / "truth.json").is_file():
                gen = [sys.executable, str(ROOT / "tools" / "synth_meeting.py"), "--out", str(meeting)]
                gen += ["--speakers", "3", "--minutes", str(args.bleed_minutes), "--seed", str(args.seed), *options]
                subprocess.run(gen, check=True, stdout=subprocess.DEVNULL)
            duration = float(json.loads((meeting / "truth.json").read_text())["duration"])
            runs = [("ours", "on")] + ([("ours-no-crosstalk", "off")] if also_off else [])
            for strategy, label in runs:
                r = child(strategy, meeting, work / f"{meeting.name}-{label}", args.model, args.threads)
                rows.append({"case": name, "analysis": label, "duration": duration, **r})
                print_bleed_row(rows[-1])
    if args.json:
        args.json.write_text(json.dumps(rows, indent=1))


def print_bleed_row(r: dict[str, Any]) -> None:
    s = r["score"]
    if not hasattr(print_bleed_row, "header"):
        print(
            f"\n{'case':32} {'crosstalk':9} {'WER':>7} {'spk acc':>8} {'dup':>6} {'found':>9} {'removed':>8} {'time':>7}"
        )
        print_bleed_row.header = True  # type: ignore[attr-defined]
    found = f"{s['matched_words']}/{s['ref_words']}"
    acc = "-" if s["speaker_accuracy"] is None else f"{s['speaker_accuracy']:.2%}"
    print(
        f"{r['case']:32} {r['analysis']:9} {s['wer']:7.2%} {acc:>8} {s['duplicated_words']:6.2%} {found:>9} "
        f"{r.get('crosstalk_seconds', 0):7.1f}s {r['seconds']:6.1f}s",
        flush=True,
    )


if __name__ == "__main__":
    main()
