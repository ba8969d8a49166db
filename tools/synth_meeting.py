"""Synthesize a recorded meeting with known ground truth.

Speech comes from espeak-ng (or flite, ``--voices``), one voice per participant, placed on a meeting
timeline.  Two recording layouts are written:

  daily/    one WebM/Opus file per participant, named like a Daily.co raw-tracks
            object key ({recording_start_ms}-{participant_id}-cam-audio-{track_start_ms}),
            whose first packet sits at the participant's join offset and whose
            muted stretches have NO packets (as Daily.co skips frames while muted),
            plus the recording.ready-to-download webhook body that announces them.
  whereby/  one mixed MP4 (AAC) file, named like a Whereby cloud recording
            ({room_name}-{ISO start}.mp4), plus the S3 event notification body
            that SQS would deliver for it.

truth.json holds participants, track offsets, mute gaps and every utterance
(speaker, text, onset/offset in meeting seconds, measured from the signal).

Deterministic: the same arguments give the same files (espeak-ng and libopus are deterministic).
Needs: the project's .venv (PyAV, NumPy) and espeak-ng on PATH (flite too for ``--voices flite|mixed``:
``apt-get install flite``).
Example: .venv/bin/python tools/synth_meeting.py --out /tmp/meeting1 --speakers 3 --minutes 2 --seed 7
"""

from __future__ import annotations

import argparse
import io
import json
import random
import subprocess
import tempfile
import uuid
from datetime import UTC, datetime, timedelta
from fractions import Fraction
from pathlib import Path

import av
import numpy as np

RATE = 48_000
FRAME = 960  # 20 ms Opus frames, as WebRTC sends them

SENTENCES = [
    "Good morning everyone, thanks for joining the weekly planning call.",
    "Let's start with the status of the storage migration.",
    "The new bucket policy went live on Tuesday without any incidents.",
    "I still see a few uploads failing during the night batch.",
    "Can you share the error rate from the last three days?",
    "It was below one percent, mostly timeouts from a single region.",
    "Then we should add a retry with exponential backoff.",
    "Agreed, I will open a ticket for that after the meeting.",
    "Next item is the customer feedback on the mobile release.",
    "Most people like the new search, but the login screen confuses them.",
    "We could run a short usability test with five volunteers.",
    "I can organize the sessions for the second week of March.",
    "What about the budget for the conference in April?",
    "Finance approved travel for two people from our team.",
    "Please send me the hotel options before Friday.",
    "The design review moved to Thursday afternoon at three.",
    "Do we have a decision on the database upgrade?",
    "We will upgrade the replicas first and the primary one week later.",
    "That sounds safe, as long as the backups are verified.",
    "I verified the restore procedure yesterday, it took forty minutes.",
    "Great, let's note that as a decision in the minutes.",
    "Is anyone blocked on the onboarding documentation?",
    "I need access to the staging environment to finish my part.",
    "I will grant you access right after this call.",
    "One more thing, the quarterly report is due next Monday.",
    "I can draft the summary if someone sends me the numbers.",
    "The sales numbers are in the shared spreadsheet already.",
    "Perfect, then I will have a draft ready by Thursday.",
    "Let's keep the next meeting short, thirty minutes should be enough.",
    "Thanks everyone, talk to you next week.",
]
VOICES = ["en-us", "en-gb+f3", "en-us+m7", "en-gb-x-rp+f4", "en-us+m3", "en-gb+m2", "en-us+f2", "en-gb-scotland+m4"]
# flite's voices are recordings of different people (statistical parametric synthesis): distinct timbres,
# closer to real speakers than espeak's formant variants, which a speaker encoder hears as one person.
# "mixed" alternates the two engines (up to 8 speakers).
FLITE_VOICES = ["flite:slt", "flite:rms", "flite:awb", "flite:kal16"]
VOICE_SETS = {
    "espeak": VOICES,
    "flite": FLITE_VOICES,
    "mixed": ["flite:slt", "en-us", "flite:rms", "en-gb+f3", "flite:awb", "en-us+m7", "flite:kal16", "en-gb+m2"],
    # Eight voices that Resemblyzer's speaker encoder tells apart (mean cosine similarity between
    # any two ≤ 0.69, within one voice 0.85-0.95): the four flite voices, the two espeak voices least
    # like each other, and two flite voices at another pitch ("@Hz": flite's int_f0_target_mean).
    # In "mixed", en-us / en-gb+f3 / en-gb+m2 score 0.85-0.90 against each other: one person to it.
    "distinct": [
        "flite:slt",
        "flite:rms",
        "flite:awb",
        "flite:kal16",
        "en-us",
        "en-gb-x-rp+f4",
        "flite:slt@70",
        "flite:awb@260",
    ],
}
NAMES = ["Alice", "Bob", "Carol", "Dmitri", "Erin", "Farid", "Grace", "Hiro"]


def tts(text: str, voice: str, rate_wpm: int) -> np.ndarray:
    if voice.startswith("flite:"):
        with tempfile.NamedTemporaryFile(suffix=".wav") as f:
            stretch = f"{170 / max(60, rate_wpm):.3f}"  # flite's natural rate is about 170 wpm
            name, _, pitch = voice[6:].partition("@")
            cmd = ["flite", "-voice", name, "--setf", f"duration_stretch={stretch}", "-t", text, "-o", f.name]
            if pitch:
                cmd[3:3] = ["--setf", f"int_f0_target_mean={pitch}"]
            subprocess.run(cmd, capture_output=True, check=True)
            wav = Path(f.name).read_bytes()
    else:
        wav = subprocess.run(
            ["espeak-ng", "-v", voice, "-s", str(rate_wpm), "--stdout", text],
            capture_output=True,
            check=True,
        ).stdout
    with av.open(io.BytesIO(wav)) as c:
        rs = av.AudioResampler(format="flt", layout="mono", rate=RATE)
        parts = [r.to_ndarray()[0] for fr in c.decode(audio=0) for r in rs.resample(fr)]
        parts += [r.to_ndarray()[0] for r in rs.resample(None)]
    return np.concatenate(parts).astype(np.float32)


def speech_bounds(sig: np.ndarray, thresh: float = 0.01) -> tuple[int, int]:
    idx = np.flatnonzero(np.abs(sig) > thresh)
    return (int(idx[0]), int(idx[-1]) + 1) if idx.size else (0, len(sig))


def write_opus_webm(path: Path, sig: np.ndarray, start_s: float, muted: list[tuple[float, float]]) -> None:
    """Encode sig (starting at start_s on the meeting timeline) and drop packets inside muted spans."""
    with av.open(str(path), "w", format="webm", options={"fflags": "+bitexact"}) as out:
        st = out.add_stream("libopus", rate=RATE, layout="mono")
        st.bit_rate = 32_000
        shift = None

        def mux(packets: list[av.Packet]) -> None:
            nonlocal shift
            for p in packets:
                t = start_s + float(p.pts * p.time_base)
                if any(a <= t < b for a, b in muted):
                    continue
                if shift is None:
                    shift = round(start_s / p.time_base)
                p.pts += shift
                p.dts = p.pts
                out.mux(p)

        for i in range(0, len(sig), FRAME):
            chunk = sig[i : i + FRAME]
            if len(chunk) < FRAME:
                chunk = np.pad(chunk, (0, FRAME - len(chunk)))
            fr = av.AudioFrame.from_ndarray(chunk.reshape(1, -1), format="flt", layout="mono")
            fr.sample_rate, fr.pts, fr.time_base = RATE, i, Fraction(1, RATE)
            mux(st.encode(fr))
        mux(st.encode(None))


def write_aac_mp4(path: Path, sig: np.ndarray) -> None:
    with av.open(str(path), "w", format="mp4") as out:
        st = out.add_stream("aac", rate=RATE, layout="mono")
        st.bit_rate = 96_000
        fs = 1024
        for i in range(0, len(sig), fs):
            chunk = sig[i : i + fs]
            fr = av.AudioFrame.from_ndarray(chunk.reshape(1, -1), format="flt", layout="mono")
            fr.sample_rate, fr.pts, fr.time_base = RATE, i, Fraction(1, RATE)
            for p in st.encode(fr):
                out.mux(p)
        for p in st.encode(None):
            out.mux(p)


def dull(x: np.ndarray, a: float = 0.35) -> np.ndarray:
    """A one-pole low-pass (truncated): a voice from across the table loses its highs."""
    kernel = ((1 - a) * a ** np.arange(12)).astype(np.float32)
    return np.convolve(x, kernel)[: len(x)].astype(np.float32)


def crosstalk(clean: list[np.ndarray], bleed_db: float, brng: random.Random) -> list[np.ndarray]:
    """Every other voice mixed into each track as a second microphone in the same room hears it.

    It arrives a few metres later (8-25 ms, fixed per pair) and duller (``dull``), ``bleed_db`` down.
    The same construction, and the same random draws, as the shared tool's ``--bleed-db``.
    """
    g = np.float32(10 ** (bleed_db / 20))
    dulled = [dull(c) if np.any(c) else c for c in clean]
    out = []
    for i, c in enumerate(clean):
        s = c.copy()
        for j, d in enumerate(dulled):
            if j != i:
                shift = int(brng.uniform(0.008, 0.025) * RATE)
                s[shift:] += g * d[: len(d) - shift]
        out.append(s)
    return out


def parse_levels(specs: list[str]) -> dict[int, float]:
    out = {}
    for spec in specs:
        who, sep, db = spec.partition("=")
        if not sep:
            raise SystemExit(f"--level-db wants SPEAKER=DB, got {spec!r}")
        out[int(who)] = float(db)
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", required=True, type=Path)
    ap.add_argument("--speakers", type=int, default=3)
    ap.add_argument("--minutes", type=float, default=1.0, help="approximate meeting length")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--corpus", type=Path, help="file with one sentence per line (default: built-in)")
    ap.add_argument("--overlap", type=float, default=0.0, help="share of turns that start before the previous one ends")
    ap.add_argument(
        "--mute", type=float, default=0.5, help="probability that a silent stretch over 3 s is muted (no packets)"
    )
    ap.add_argument(
        "--bleed-db", type=float, default=None, help="mix other speakers into each track at this level (e.g. -30)"
    )
    ap.add_argument(
        "--noise-db", type=float, default=None, help="add room noise to every track at this level (e.g. -55 dBFS)"
    )
    ap.add_argument(
        "--silent",
        type=int,
        default=0,
        help="extra participants who stay unmuted for the whole meeting and never speak",
    )
    ap.add_argument(
        "--level-db",
        action="append",
        default=[],
        metavar="SPEAKER=DB",
        help="one participant's track (microphone gain) this many dB louder or quieter, e.g. 2=-12; repeatable",
    )
    ap.add_argument("--wpm", type=int, default=155)
    ap.add_argument(
        "--voices",
        choices=sorted(VOICE_SETS),
        default="espeak",
        help="speech engine: espeak-ng voices, flite voices (apt-get install flite), or both alternating",
    )
    ap.add_argument("--room", default="daily-20260314093000")
    args = ap.parse_args()

    rng = random.Random(args.seed)
    levels = parse_levels(args.level_db)
    corpus = [s.strip() for s in args.corpus.read_text().splitlines() if s.strip()] if args.corpus else SENTENCES
    talkers = args.speakers
    n = talkers + args.silent
    voices = VOICE_SETS[args.voices]
    assert talkers >= 1 and n <= len(voices), (
        f"--speakers + --silent must be 1..{len(voices)} for --voices {args.voices}"
    )
    target = args.minutes * 60

    people = [
        {
            "speaker": i,
            "name": NAMES[i],
            "participant_id": str(uuid.UUID(int=rng.getrandbits(128), version=4)),
            "user_id": str(uuid.UUID(int=rng.getrandbits(128), version=4)),
            "voice": voices[i],
        }
        for i in range(n)
    ]
    # join offsets: first speaker near 0, others later; one may join late
    joins = sorted([round(rng.uniform(0.2, 1.5), 3)] + [round(rng.uniform(0.5, 12.0), 3) for _ in range(n - 1)])
    rng.shuffle(joins)

    # place utterances
    utts, t, k = [], 2.0 + max(joins), 0
    last_end = t
    while t < target:
        who = rng.randrange(talkers)
        if utts and utts[-1]["speaker"] == who and talkers > 1:
            who = (who + 1 + rng.randrange(talkers - 1)) % talkers
        text = corpus[k % len(corpus)] if not args.corpus else rng.choice(corpus)
        k += 1
        audio = tts(text, people[who]["voice"], args.wpm)
        a, b = speech_bounds(audio)
        start = t
        if utts and rng.random() < args.overlap:
            start = max(last_end - 1.2, utts[-1]["onset"] + 0.8)
        utts.append(
            {
                "speaker": who,
                "text": text,
                "place": start,
                "audio": audio,
                "end": start + len(audio) / RATE,
                "onset": round(start + a / RATE, 3),
                "offset": round(start + b / RATE, 3),
            }
        )
        last_end = start + len(audio) / RATE
        t = last_end + rng.uniform(0.3, 2.5) + (rng.random() < 0.15) * rng.uniform(3, 8)
    total = last_end + 1.0
    # leave times: everybody stays until shortly after their last utterance or the end
    leaves = []
    for p in people:
        mine = [u for u in utts if u["speaker"] == p["speaker"]]
        end = (max(u["end"] for u in mine) if mine else total) + rng.uniform(0.5, 2.0)
        leaves.append(round(min(total, end), 3))

    # one mono signal per participant over the whole meeting timeline
    sigs = [np.zeros(int(total * RATE) + RATE, dtype=np.float32) for _ in people]
    for u in utts:
        s = int(u["place"] * RATE)
        sigs[u["speaker"]][s : s + len(u["audio"])] += u["audio"]
        u["audio"] = None  # long meetings: keep one copy of the speech, not two
    # copies only when the tracks get bleed or noise: an hour of four voices is 2.8 GB per set
    changed = args.bleed_db is not None or args.noise_db is not None or levels
    clean = [s.copy() for s in sigs] if changed else sigs
    if args.bleed_db is not None and n > 1:
        sigs = crosstalk(clean, args.bleed_db, random.Random(args.seed * 7919 + 1))
    for who, db in levels.items():
        # a microphone's gain: its talker and everything it hears, leaks included, are that much quieter
        assert 0 <= who < n, f"--level-db names participant {who}, there are {n}"
        sigs[who] = sigs[who] * np.float32(10 ** (db / 20))
    if args.noise_db is not None:
        nrng = np.random.default_rng(args.seed)
        g = 10 ** (args.noise_db / 20)
        for s in sigs:
            white = nrng.standard_normal(len(s)).astype(np.float32)
            s += g * np.convolve(white, np.ones(8, dtype=np.float32) / 8, mode="same") * 2.8

    rec_start = datetime(2026, 3, 14, 9, 30, tzinfo=UTC) + timedelta(seconds=args.seed)
    rec_ms = int(rec_start.timestamp() * 1000)
    out = args.out
    (out / "daily").mkdir(parents=True, exist_ok=True)
    (out / "whereby").mkdir(parents=True, exist_ok=True)
    domain = "acme"
    tracks, truth_tracks = [], []
    for p in people:
        i = p["speaker"]
        j, lv = joins[i], leaves[i]
        seg = sigs[i][int(j * RATE) : int(lv * RATE)]
        # muted stretches: long silences inside the participant's window
        muted = []
        mine = sorted((u["place"], u["end"]) for u in utts if u["speaker"] == i)
        edges = [j] + [x for ab in mine for x in ab] + [lv]
        for a, b in zip(edges[0::2], edges[1::2], strict=True):
            if b - a > 3.0 and rng.random() < args.mute and i < talkers:
                muted.append((round(a + 0.5, 3), round(b - 0.5, 3)))
        track_start_ms = rec_ms + int(j * 1000) + 209  # filename stamp lags the audio by ~209 ms
        key = f"{domain}/{args.room}/{rec_ms}-{p['participant_id']}-cam-audio-{track_start_ms}"
        path = out / "daily" / key
        path.parent.mkdir(parents=True, exist_ok=True)
        write_opus_webm(path, seg, j, muted)
        tracks.append({"type": "audio", "s3Key": key, "size": path.stat().st_size})
        truth_tracks.append({"speaker": i, "s3Key": key, "join": j, "leave": lv, "muted": muted})
    video_key = f"{domain}/{args.room}/{rec_ms}-{people[0]['participant_id']}-cam-video-{rec_ms + 300}"
    tracks.append({"type": "video", "s3Key": video_key, "size": 31_457_280})

    recording_id = str(uuid.UUID(int=rng.getrandbits(128), version=4))
    webhook = {
        "version": "1.0.0",
        "type": "recording.ready-to-download",
        "id": "rec-rtd-" + recording_id,
        "event_ts": rec_start.timestamp() + total + 20,
        "payload": {
            "recording_id": recording_id,
            "room_name": args.room,
            "start_ts": int(rec_start.timestamp()),
            "status": "finished",
            "max_participants": n,
            "duration": int(total),
            "type": "raw-tracks",
            "s3_key": f"{domain}/{args.room}/{rec_ms}",
            "tracks": tracks,
        },
    }
    (out / "daily" / "webhook.json").write_text(json.dumps(webhook, indent=2))

    mixed = np.sum(clean, axis=0)
    peak = float(np.max(np.abs(mixed))) or 1.0
    mixed = (mixed / max(1.0, peak)).astype(np.float32)
    wb_room = "reflector-weekly"
    wb_key = f"{wb_room}-{rec_start.strftime('%Y-%m-%dT%H:%M:%SZ')}.mp4"
    write_aac_mp4(out / "whereby" / wb_key, mixed)
    s3_event = {
        "Records": [
            {
                "eventVersion": "2.1",
                "eventSource": "aws:s3",
                "awsRegion": "us-east-1",
                "eventTime": (rec_start + timedelta(seconds=total + 30)).strftime("%Y-%m-%dT%H:%M:%S.000Z"),
                "eventName": "ObjectCreated:Put",
                "s3": {
                    "s3SchemaVersion": "1.0",
                    "configurationId": "whereby-recordings",
                    "bucket": {"name": "whereby-recordings", "arn": "arn:aws:s3:::whereby-recordings"},
                    "object": {
                        "key": wb_key.replace(":", "%3A"),
                        "size": (out / "whereby" / wb_key).stat().st_size,
                        "sequencer": "0065F1A2B3C4D5E6F7",
                    },
                },
            }
        ]
    }
    (out / "whereby" / "s3_event.json").write_text(json.dumps(s3_event, indent=2))

    truth = {
        "seed": args.seed,
        "room_name": args.room,
        "recording_id": recording_id,
        "recording_start_ms": rec_ms,
        "duration": round(total, 3),
        "participants": [{k: p[k] for k in ("speaker", "name", "participant_id", "user_id")} for p in people],
        "silent_speakers": list(range(talkers, n)),
        "bleed_db": args.bleed_db,
        "level_db": {str(k): v for k, v in levels.items()},
        "tracks": truth_tracks,
        "whereby_key": wb_key,
        "utterances": [{k: u[k] for k in ("speaker", "text", "onset", "offset")} for u in utts],
    }
    (out / "truth.json").write_text(json.dumps(truth, indent=2))
    words = sum(len(u["text"].split()) for u in utts)
    print(f"{out}: {len(utts)} utterances, {words} words, {total:.1f} s, {n} speakers")


if __name__ == "__main__":
    main()
