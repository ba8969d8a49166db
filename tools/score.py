"""Score a speaker-attributed transcript against ``tools/synth_meeting.py``'s truth.json.

Adapted from the project's reference scorer: the same normalisation, alignment and metrics, so
numbers are comparable, plus the check that silent participants got no words.

The transcript is Reflector's ``transcript.json`` (``words`` with start/end/speaker and a
``participants`` list naming each speaker index), or WebVTT with voice tags. A speaker may be given
as the participant's name, participant_id, user_id, its index or ``Speaker N``.

    python tools/score.py truth.json transcript.json    → one JSON object on stdout

  wer               word error rate per speaker, summed (a word given to the wrong speaker counts
                    against both); wer_any_speaker ignores speakers
  onset_err_median  median |first word start - utterance onset| (seconds); also p90, offset median
  silent_words      words attributed to participants who never spoke (must be 0)
"""

from __future__ import annotations

import json
import re
import statistics
import sys
from pathlib import Path
from typing import Any

NUM = {
    "0": "zero", "1": "one", "2": "two", "3": "three", "4": "four", "5": "five", "6": "six",
    "7": "seven", "8": "eight", "9": "nine", "10": "ten", "30": "thirty", "40": "forty",
}  # fmt: skip


def norm(word: str) -> str:
    w = re.sub(r"[^a-z0-9']", "", word.lower().replace("’", "'"))
    return NUM.get(w, w)


def parse_vtt(text: str) -> list[dict[str, Any]]:
    words: list[dict[str, Any]] = []
    ts = r"(?:(\d+):)?(\d{2}):(\d{2})[.,](\d{3})"

    def sec(m: re.Match[str], o: int) -> float:
        h = int(m.group(o + 1) or 0)
        return h * 3600 + int(m.group(o + 2)) * 60 + int(m.group(o + 3)) + int(m.group(o + 4)) / 1000

    for block in re.split(r"\n\s*\n", text.replace("\r\n", "\n")):
        m = re.search(ts + r"\s*-->\s*" + ts, block)
        if not m:
            continue
        start, end = sec(m, 0), sec(m, 4)
        body = block[m.end() :].strip()
        segs = re.findall(r"<v(?:\.[\w.-]+)?\s+([^>]+)>((?:(?!<v[\s.]).)*)", body, flags=re.S) or [("", body)]
        toks = [(spk.strip(), re.sub(r"</?[^>]+>", "", t).split()) for spk, t in segs]
        n = sum(len(t) for _, t in toks) or 1
        i = 0
        for spk, t in toks:
            for w in t:
                a = start + (end - start) * i / n
                words.append({"text": w, "start": a, "end": start + (end - start) * (i + 1) / n, "speaker": spk})
                i += 1
    return words


def load_hyp(path: Path) -> list[dict[str, Any]]:
    raw = path.read_text()
    if raw.lstrip().startswith("WEBVTT"):
        return parse_vtt(raw)
    data = json.loads(raw)
    labels: dict[Any, Any] = {}
    if isinstance(data, dict):
        for p in data.get("participants") or []:
            if isinstance(p, dict) and "speaker" in p:
                labels[p["speaker"]] = p.get("participant_id") or p.get("id") or p.get("name")
        data = data.get("words") or [w for s in data.get("segments", []) for w in s.get("words", [])]
    return [
        {
            "text": w.get("text", w.get("word", "")),
            "start": float(w["start"]),
            "end": float(w["end"]),
            "speaker": labels.get(w.get("speaker"), w.get("speaker", "")),
        }
        for w in data
    ]


def speaker_index(label: Any, people: list[dict[str, Any]]) -> int | None:
    s = str(label).strip()
    for p in people:
        names = (p["name"], p["participant_id"], p["user_id"], str(p["speaker"]), f"Speaker {p['speaker']}")
        if s in names:
            return int(p["speaker"])
    return None


def align(ref: list[str], hyp: list[str]) -> tuple[int, list[tuple[int, int]]]:
    """Levenshtein alignment; the edit count and the matched (ref_i, hyp_j) pairs."""
    n, m = len(ref), len(hyp)
    d = [[0] * (m + 1) for _ in range(n + 1)]
    for i in range(n + 1):
        d[i][0] = i
    for j in range(m + 1):
        d[0][j] = j
    for i in range(1, n + 1):
        for j in range(1, m + 1):
            d[i][j] = min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (ref[i - 1] != hyp[j - 1]))
    pairs, i, j = [], n, m
    while i > 0 and j > 0:
        if d[i][j] == d[i - 1][j - 1] + (ref[i - 1] != hyp[j - 1]):
            if ref[i - 1] == hyp[j - 1]:
                pairs.append((i - 1, j - 1))
            i, j = i - 1, j - 1
        elif d[i][j] == d[i - 1][j] + 1:
            i -= 1
        else:
            j -= 1
    return d[n][m], pairs[::-1]


def score(truth: dict[str, Any], hyp: list[dict[str, Any]]) -> dict[str, Any]:
    people = truth["participants"]
    for w in hyp:
        w["spk"] = speaker_index(w["speaker"], people)
        w["n"] = norm(w["text"])
    hyp = [w for w in hyp if w["n"]]
    utts = truth["utterances"]

    edits = total = matched = 0
    onset_err: list[float] = []
    offset_err: list[float] = []
    for p in people:
        mine = [u for u in sorted(utts, key=lambda u: u["onset"]) if u["speaker"] == p["speaker"]]
        ref, owner = [], []
        for k, u in enumerate(mine):
            for w in u["text"].split():
                if norm(w):
                    ref.append(norm(w))
                    owner.append(k)
        hw = sorted((w for w in hyp if w["spk"] == p["speaker"]), key=lambda w: w["start"])
        e, pairs = align(ref, [w["n"] for w in hw])
        edits += e
        total += len(ref)
        first: dict[int, tuple[int, int]] = {}
        last: dict[int, tuple[int, int]] = {}
        for ri, hj in pairs:
            first.setdefault(owner[ri], (ri, hj))
            last[owner[ri]] = (ri, hj)
        for k, u in enumerate(mine):
            if k not in first:
                continue
            ri0 = owner.index(k)
            ri1 = len(owner) - 1 - owner[::-1].index(k)
            if first[k][0] == ri0:
                onset_err.append(abs(hw[first[k][1]]["start"] - u["onset"]))
                matched += 1
            if last[k][0] == ri1:
                offset_err.append(abs(hw[last[k][1]]["end"] - u["offset"]))
    all_ref = [norm(w) for u in sorted(utts, key=lambda u: u["onset"]) for w in u["text"].split() if norm(w)]
    any_e, _ = align(all_ref, [w["n"] for w in sorted(hyp, key=lambda w: w["start"])])
    silent = set(truth.get("silent_speakers") or [])

    def q(xs: list[float], f: Any) -> float | None:
        return round(f(xs), 3) if xs else None

    return {
        "wer": round(edits / max(1, total), 4),
        "wer_any_speaker": round(any_e / max(1, len(all_ref)), 4),
        "onset_err_median": q(onset_err, statistics.median),
        "onset_err_p90": q(onset_err, lambda x: sorted(x)[int(0.9 * (len(x) - 1))]),
        "offset_err_median": q(offset_err, statistics.median),
        "matched_utterances": matched,
        "utterances": len(utts),
        "hyp_words": len(hyp),
        "unattributed_words": sum(1 for w in hyp if w["spk"] is None),
        "silent_words": sum(1 for w in hyp if w["spk"] in silent),
    }


def main() -> None:
    if len(sys.argv) != 3:
        sys.exit("usage: score.py truth.json transcript.(json|vtt)")
    truth = json.loads(Path(sys.argv[1]).read_text())
    print(json.dumps(score(truth, load_hyp(Path(sys.argv[2])))))


if __name__ == "__main__":
    main()
