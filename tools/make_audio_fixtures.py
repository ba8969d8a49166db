"""Regenerate the committed audio fixtures in tests/fixtures/audio/ (tests never generate audio themselves).

    .venv/bin/python tools/make_audio_fixtures.py [--out tests/fixtures/audio]

Writes:
  meeting/          a 2-speaker synthetic Daily raw-tracks meeting (tools/synth_meeting.py, seed 3): two
                    WebM/Opus tracks with mute gaps, webhook.json and truth.json.
  crosstalk/        a 3-speaker meeting where every microphone hears the others 20 dB down, 8-25 ms late
                    (--bleed-db -20), with overlapping turns and track 2 12 dB quieter (--level-db 2=-12).
  tones.webm        Opus mono 48 kHz, 440 Hz bursts; first sample at meeting second 2.0, packets dropped
                    for a 2 s mute; file name stamps say 2.209 s (Daily's lag).
  stereo.webm       Opus stereo 48 kHz, bursts alternating between the left and the right channel.
  stereo_44k.mp3    MP3 stereo 44.1 kHz (Opus cannot be 44.1 kHz; this is the odd-rate stereo case).
  tone_11k.wav      PCM s16 stereo 11.025 kHz.
  tone_aac.mp4      AAC mono 44.1 kHz in MP4, like a Whereby composed recording.
  backwards.webm    Opus written live (no duration), whose timestamps jump back 200 ms at content second 3.
  truncated.webm    tones.webm cut at 60 % of its bytes.
  empty.webm        0 bytes.  not_audio.webm  text.  video_only.mkv  one MJPEG stream, no audio.
  fixtures.json     where every burst and mute sits on the meeting timeline (the tests' truth).
  voices/           mixed recordings for the diarizer (flite voices, apt-get install flite): three.mp4
                    (3 voices, 40 s, seed 1), one.mp4 (one voice, ~20 s), each with its truth json;
                    short.mp4 (2 s of three.mp4 from just before its first word).

Deterministic: run twice, get the same bytes.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterable, Sequence
from fractions import Fraction
from pathlib import Path

import av
import numpy as np
import numpy.typing as npt

ROOT = Path(__file__).resolve().parent.parent
BITEXACT = {"fflags": "+bitexact"}
Signal = npt.NDArray[np.float32]

# (start, end) in content seconds (from the file's first sample); meeting time = content + offset.
BURSTS = [(0.5, 1.0), (2.0, 2.5), (5.5, 6.0), (7.0, 7.4)]
TONES_OFFSET = 2.0
TONES_MUTE = (3.0, 5.0)
TONES_LENGTH = 8.0
BACKWARDS_OFFSET = 1.0
BACKWARDS_JUMP_AT = 3.0
BACKWARDS_JUMP = 0.2
BACKWARDS_BURSTS = [(0.5, 1.0), (2.0, 2.5), (4.0, 4.5), (5.5, 6.0)]
BACKWARDS_LENGTH = 6.5


def tone(rate: int, length: float, bursts: Iterable[tuple[float, float]], freq: float = 440.0) -> Signal:
    t = np.arange(round(length * rate)) / rate
    sig = np.zeros_like(t)
    for a, b in bursts:
        on = (t >= a) & (t < b)
        sig[on] = 0.5 * np.sin(2 * np.pi * freq * (t[on] - a))
    return sig.astype(np.float32)


PacketRule = Callable[[float], float | None]
"""Content time of a packet -> seconds to add to its timestamp, or None to drop it."""


def write(
    path: Path,
    fmt: str,
    codec: str,
    rate: int,
    channels: Signal,
    *,
    rule: PacketRule = lambda _t: 0.0,
    frame: int = 960,
    options: dict[str, str] | None = None,
    bit_rate: int = 32_000,
) -> None:
    """Encode ``channels`` (one row per channel) and mux every packet at its content time plus ``rule``."""
    layout = "mono" if channels.shape[0] == 1 else "stereo"
    last_dts: list[int] = []
    with av.open(str(path), "w", format=fmt, options={**BITEXACT, **(options or {})}) as out:
        stream = out.add_stream(codec, rate=rate, layout=layout)
        stream.bit_rate = bit_rate

        def mux(packets: list[av.Packet]) -> None:
            for p in packets:
                assert p.pts is not None and p.time_base is not None
                move = rule(float(p.pts * p.time_base))
                if move is None:
                    continue
                p.pts += round(move / p.time_base)
                p.dts = max(p.pts, last_dts[-1] + 1) if last_dts else p.pts
                last_dts[:] = [p.dts]
                out.mux(p)

        data = np.ascontiguousarray(channels.astype(np.float32))
        for i in range(0, data.shape[1], frame):
            chunk = data[:, i : i + frame]
            if chunk.shape[1] < frame:
                chunk = np.pad(chunk, ((0, 0), (0, frame - chunk.shape[1])))
            fr = av.AudioFrame.from_ndarray(np.ascontiguousarray(chunk), format="fltp", layout=layout)
            fr.sample_rate, fr.pts, fr.time_base = rate, i, Fraction(1, rate)
            mux(stream.encode(fr))
        mux(stream.encode(None))


def shift_clusters(path: Path, *, after_ms: int, by_ms: int) -> int:
    """Move every Matroska cluster whose timestamp is >= ``after_ms`` by ``by_ms`` (in place).

    FFmpeg's muxers refuse timestamps that go backwards, so a file that has them (as some real
    recorders write) is made by writing a forward jump that forces a new cluster, then patching it.
    """
    data = bytearray(path.read_bytes())
    moved, i = 0, 0
    while (i := data.find(b"\x1f\x43\xb6\x75", i)) >= 0:
        size_len = _vint_len(data[i + 4])
        j = i + 4 + size_len
        if data[j] == 0xE7:
            value_len = data[j + 1] & 0x7F  # a one-byte size vint: 0x8N
            start = j + 2
            value = int.from_bytes(data[start : start + value_len], "big")
            if value >= after_ms:
                data[start : start + value_len] = (value + by_ms).to_bytes(value_len, "big")
                moved += 1
        i += 4
    path.write_bytes(bytes(data))
    return moved


def _vint_len(first: int) -> int:
    for n in range(8):
        if first & (0x80 >> n):
            return n + 1
    raise ValueError("bad EBML vint")


def _back(content: float) -> float:
    """Meeting time of a content instant of backwards.webm."""
    return content + BACKWARDS_OFFSET - (BACKWARDS_JUMP if content >= BACKWARDS_JUMP_AT else 0.0)


MEETING_ARGS = ["--speakers", "2", "--minutes", "0.4", "--seed", "3", "--mute", "1.0"]
CROSSTALK_ARGS = ["--speakers", "3", "--minutes", "0.5", "--seed", "2", "--mute", "0", "--overlap", "0.6"]
CROSSTALK_ARGS += ["--bleed-db", "-20", "--level-db", "2=-12"]


def make_meeting(out: Path, name: str = "meeting", args: Sequence[str] = MEETING_ARGS) -> dict[str, object]:
    with tempfile.TemporaryDirectory() as tmp:
        synth = ROOT / "tools" / "synth_meeting.py"
        subprocess.run([sys.executable, str(synth), "--out", tmp, *args], check=True)
        target = out / name
        shutil.rmtree(target, ignore_errors=True)
        target.mkdir(parents=True)
        for track in Path(tmp, "daily").rglob("*-cam-audio-*"):
            shutil.copy(track, target / track.name)
        shutil.copy(Path(tmp, "daily", "webhook.json"), target / "webhook.json")
        shutil.copy(Path(tmp, "truth.json"), target / "truth.json")
        truth: dict[str, object] = json.loads(Path(tmp, "truth.json").read_text())
    return truth


def make_voices(out: Path) -> None:
    """Small mixed (Whereby-like) recordings with distinct flite voices and their truth."""
    target = out / "voices"
    shutil.rmtree(target, ignore_errors=True)
    target.mkdir(parents=True)
    synth = ROOT / "tools" / "synth_meeting.py"
    for name, speakers, minutes, seed in (("three", "3", "0.6", "1"), ("one", "1", "0.3", "6")):
        with tempfile.TemporaryDirectory() as tmp:
            args = ["--out", tmp, "--speakers", speakers, "--minutes", minutes, "--seed", seed, "--voices", "flite"]
            subprocess.run([sys.executable, str(synth), *args], check=True)
            mp4 = next(Path(tmp, "whereby").glob("*.mp4"))
            shutil.copy(mp4, target / f"{name}.mp4")
            shutil.copy(Path(tmp, "truth.json"), target / f"{name}.json")
    with av.open(str(target / "three.mp4")) as c:
        rs = av.AudioResampler(format="flt", layout="mono", rate=48_000)
        pcm = np.concatenate([r.to_ndarray()[0] for f in c.decode(audio=0) for r in rs.resample(f)])
    onset = json.loads((target / "three.json").read_text())["utterances"][0]["onset"]
    first = int((onset - 0.2) * 48_000)
    write(target / "short.mp4", "mp4", "aac", 48_000, pcm[None, first : first + 2 * 48_000], frame=1024)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", type=Path, default=ROOT / "tests" / "fixtures" / "audio")
    out: Path = ap.parse_args().out
    out.mkdir(parents=True, exist_ok=True)
    make_meeting(out)
    make_voices(out)
    make_meeting(out, "crosstalk", CROSSTALK_ARGS)

    mono = tone(48_000, TONES_LENGTH, BURSTS)[None, :]
    # The muted stretch has no packets at all: Daily writes nothing while a microphone is muted.
    muted: PacketRule = lambda t: None if TONES_MUTE[0] <= t < TONES_MUTE[1] else TONES_OFFSET  # noqa: E731
    write(out / "tones.webm", "webm", "libopus", 48_000, mono, rule=muted)
    data = (out / "tones.webm").read_bytes()
    (out / "truncated.webm").write_bytes(data[: len(data) * 6 // 10])

    left = tone(48_000, TONES_LENGTH, BURSTS[0::2])
    right = tone(48_000, TONES_LENGTH, BURSTS[1::2], freq=660.0)
    write(out / "stereo.webm", "webm", "libopus", 48_000, np.stack([left, right]), bit_rate=48_000)
    left44 = tone(44_100, TONES_LENGTH, BURSTS[0::2])
    right44 = tone(44_100, TONES_LENGTH, BURSTS[1::2], freq=660.0)
    write(out / "stereo_44k.mp3", "mp3", "libmp3lame", 44_100, np.stack([left44, right44]), frame=1152)
    wav = tone(11_025, TONES_LENGTH, BURSTS)
    write(out / "tone_11k.wav", "wav", "pcm_s16le", 11_025, np.stack([wav, wav]), frame=1024)
    write(out / "tone_aac.mp4", "mp4", "aac", 44_100, tone(44_100, TONES_LENGTH, BURSTS)[None, :], frame=1024)

    # Backwards: content after BACKWARDS_JUMP_AT is stamped BACKWARDS_JUMP earlier, overlapping what came before.
    far = 30.0  # a forward jump this big forces a new cluster, which is then moved back
    jump: PacketRule = lambda t: BACKWARDS_OFFSET + (far if t >= BACKWARDS_JUMP_AT else 0.0)  # noqa: E731
    back = tone(48_000, BACKWARDS_LENGTH, BACKWARDS_BURSTS)[None, :]
    path = out / "backwards.webm"
    write(path, "webm", "libopus", 48_000, back, rule=jump, options={"live": "1", "cluster_time_limit": "500"})
    after = round((BACKWARDS_OFFSET + far + BACKWARDS_JUMP_AT - 0.1) * 1000)
    if not shift_clusters(path, after_ms=after, by_ms=-round((far + BACKWARDS_JUMP) * 1000)):
        raise SystemExit("backwards.webm: no cluster to move back")

    (out / "empty.webm").write_bytes(b"")
    (out / "not_audio.webm").write_text("This is a text file that someone renamed to .webm.\n")
    with av.open(str(out / "video_only.mkv"), "w", format="matroska", options=BITEXACT) as c:
        v = c.add_stream("mjpeg", rate=5)
        v.width, v.height, v.pix_fmt = 32, 32, "yuvj420p"
        for k in range(5):
            img = av.VideoFrame.from_ndarray(np.full((32, 32, 3), k * 40, dtype=np.uint8), format="rgb24")
            img = img.reformat(format="yuvj420p")
            img.pts = k
            c.mux(v.encode(img))
        c.mux(v.encode(None))

    truth = {
        "tones": {
            "offset": TONES_OFFSET,
            "filename_offset": TONES_OFFSET + 0.209,
            "length": TONES_LENGTH,
            "mute": [TONES_OFFSET + TONES_MUTE[0], TONES_OFFSET + TONES_MUTE[1]],
            "bursts": [[a + TONES_OFFSET, b + TONES_OFFSET] for a, b in BURSTS],
        },
        "stereo": {"left": BURSTS[0::2], "right": BURSTS[1::2], "length": TONES_LENGTH},
        "backwards": {
            "offset": BACKWARDS_OFFSET,
            "jump_at": BACKWARDS_OFFSET + BACKWARDS_JUMP_AT,
            "jump": BACKWARDS_JUMP,
            # Content after the jump lands BACKWARDS_JUMP earlier; the overlapped 200 ms are dropped.
            "bursts": [[_back(a), _back(b)] for a, b in BACKWARDS_BURSTS],
            "end": BACKWARDS_OFFSET + BACKWARDS_LENGTH - BACKWARDS_JUMP,
        },
    }
    (out / "fixtures.json").write_text(json.dumps(truth, indent=2) + "\n")
    total = sum(f.stat().st_size for f in out.rglob("*") if f.is_file())
    print(f"{out}: {total / 1e6:.2f} MB")


if __name__ == "__main__":
    main()
