"""Score a speaker-attributed transcript against ``tools/synth_meeting.py``'s truth.json.

Adapted from the project's reference scorer: the same alignment and metrics, plus the check that
silent participants got no words. The normalisation (``tokens``) goes further than the reference
scorer's (which mapped only 0–10, 30 and 40 and kept "1%" as one word "one"): every written number,
ordinal, decimal and "%" is spelled out and hyphens split words, so "1%" matches "one percent"
instead of costing a deletion. WER from before this change is up to ~0.5 points higher on the
generated meetings (their "one percent" sentence).

The transcript is Reflector's ``transcript.json`` (``words`` with start/end/speaker and a
``participants`` list naming each speaker index), or WebVTT with voice tags. A speaker may be given
as the participant's name, participant_id, user_id, its index or ``Speaker N``.

    python tools/score.py [--map-speakers] truth.json transcript.json    → one JSON object on stdout

``--map-speakers``: anonymous speakers (a diarized mixed recording) are first mapped one-to-one onto
the truth speakers they share the most words with (``map_speakers``), as the shared scorer does.

  wer               word error rate per speaker, summed (a word given to the wrong speaker counts
                    against both); wer_any_speaker ignores speakers
  onset_err_median  median |first word start - utterance onset| (seconds); also p90, offset median
  silent_words      words attributed to participants who never spoke (must be 0)
  matched_words     reference words found, with the right speaker (of ref_words)
  speaker_accuracy  share of words inside exactly one utterance that carry its speaker (as the shared scorer)
  duplicated_words  words given to someone not talking at that moment, inside another's utterance (a
                    crosstalk copy), per reference word
"""

from __future__ import annotations

import json
import re
import statistics
import sys
from pathlib import Path
from typing import Any

_ONES = [
    "zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
    "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen",
]  # fmt: skip
_TENS = ["", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"]
_ORDINAL = {
    "one": "first", "two": "second", "three": "third", "five": "fifth", "eight": "eighth", "nine": "ninth",
    "twelve": "twelfth",
}  # fmt: skip


def number_words(n: int) -> list[str]:
    """A cardinal as it is read out: 40 → forty, 125 → one hundred twenty five (up to millions)."""
    if n < 20:
        return [_ONES[n]]
    if n < 100:
        return [_TENS[n // 10]] + ([_ONES[n % 10]] if n % 10 else [])
    for size, name in ((1_000_000, "million"), (1000, "thousand"), (100, "hundred")):
        if n >= size:
            head, rest = divmod(n, size)
            return number_words(head) + [name] + (number_words(rest) if rest else [])
    raise AssertionError(n)  # pragma: no cover


def _ordinal(word: str) -> str:
    if word in _ORDINAL:
        return _ORDINAL[word]
    return word[:-1] + "ieth" if word.endswith("y") else word + "th"


def tokens(word: str) -> list[str]:
    """Normalised tokens of one written word: lower case, punctuation dropped, numbers spelled out.

    What a reader takes as the same words counts as the same: "40" is "forty", "1%" is "one
    percent", "2nd" is "second", "1,000" is "one thousand", "re-run" is "re run" (hyphens split, as
    Whisper's own English normaliser does). Nothing else is merged: "time out" is not "timeouts".
    """
    w = word.lower().replace("’", "'").replace("%", " percent ")
    out: list[str] = []
    for part in re.split(r"[\s\-–—/]+", w):
        part = re.sub(r"(?<=\d),(?=\d{3})", "", part)
        m = re.fullmatch(r"\W*(\d+)(?:\.(\d+))?(st|nd|rd|th)?\W*", part)
        if m and len(m.group(1)) <= 9:
            spoken = number_words(int(m.group(1)))
            if m.group(2):
                spoken += ["point"] + [_ONES[int(d)] for d in m.group(2)]
            elif m.group(3):
                spoken[-1] = _ordinal(spoken[-1])
            out += spoken
            continue
        part = re.sub(r"[^a-z0-9']", "", part).strip("'")
        if part:
            out.append(part)
    return out


def norm(word: str) -> str:
    """The tokens of ``word`` joined by spaces (empty for punctuation alone)."""
    return " ".join(tokens(word))


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
    # One entry per normalised token: "1%" becomes "one" and "percent", both with the word's times.
    hyp = [dict(w, spk=speaker_index(w["speaker"], people), n=t) for w in hyp for t in tokens(str(w["text"]))]
    utts = truth["utterances"]

    edits = total = matched = hits = 0
    onset_err: list[float] = []
    offset_err: list[float] = []
    for p in people:
        mine = [u for u in sorted(utts, key=lambda u: u["onset"]) if u["speaker"] == p["speaker"]]
        ref, owner = [], []
        for k, u in enumerate(mine):
            for t in tokens(u["text"]):
                ref.append(t)
                owner.append(k)
        hw = sorted((w for w in hyp if w["spk"] == p["speaker"]), key=lambda w: w["start"])
        e, pairs = align(ref, [w["n"] for w in hw])
        edits += e
        total += len(ref)
        hits += len(pairs)
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
    all_ref = [t for u in sorted(utts, key=lambda u: u["onset"]) for t in tokens(u["text"])]
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
        "matched_words": hits,
        "ref_words": total,
        "speaker_accuracy": speaker_accuracy(hyp, utts),
        "duplicated_words": round(len(duplicated(hyp, utts)) / max(1, total), 4),
    }


def owner_of(w: dict[str, Any], utts: list[dict[str, Any]]) -> int | None:
    """The truth speaker whose utterance holds the word's midpoint, when exactly one does (shared scorer)."""
    mid = (w["start"] + w["end"]) / 2
    owners = {u["speaker"] for u in utts if u["onset"] - 0.05 <= mid <= u["offset"] + 0.05}
    return owners.pop() if len(owners) == 1 else None


def speaker_accuracy(hyp: list[dict[str, Any]], utts: list[dict[str, Any]]) -> float | None:
    """Share of the words inside exactly one utterance that carry that utterance's speaker (shared scorer)."""
    owned = [(w, t) for w in hyp if (t := owner_of(w, utts)) is not None]
    return round(sum(1 for w, t in owned if w["spk"] == t) / len(owned), 4) if owned else None


def duplicated(hyp: list[dict[str, Any]], utts: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Words given to a speaker who was not talking, inside someone else's utterance: crosstalk copies."""
    out = []
    for w in hyp:
        mid = (w["start"] + w["end"]) / 2
        talking = {u["speaker"] for u in utts if u["onset"] - 0.05 <= mid <= u["offset"] + 0.05}
        if talking and w["spk"] not in talking:
            out.append(w)
    return out


def map_speakers(truth: dict[str, Any], hyp: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Anonymous speakers (a diarized mixed recording) relabelled onto truth speakers, one-to-one.

    As the shared scorer's ``--map-speakers``: each hypothesis label goes to the truth speaker it
    shares the most words with (word midpoint inside exactly one utterance), by an optimal
    assignment; labels left over keep a label no truth speaker has (their words count as wrong).
    """
    from scipy.optimize import linear_sum_assignment

    utts = truth["utterances"]
    people = [p["speaker"] for p in truth["participants"]]
    labels = sorted({str(w["speaker"]) for w in hyp})
    counts = [[0] * len(people) for _ in labels]
    for w in hyp:
        t = owner_of(w, utts)
        if t is not None:
            counts[labels.index(str(w["speaker"]))][people.index(t)] += 1
    rows, cols = linear_sum_assignment(counts, maximize=True) if labels else ([], [])
    mapping = {labels[r]: people[c] for r, c in zip(rows, cols, strict=True)}
    return [dict(w, speaker=mapping.get(str(w["speaker"]), f"unmapped {w['speaker']}")) for w in hyp]


def main() -> None:
    args = [a for a in sys.argv[1:] if a != "--map-speakers"]
    if len(args) != 2:
        sys.exit("usage: score.py [--map-speakers] truth.json transcript.(json|vtt)")
    truth = json.loads(Path(args[0]).read_text())
    hyp = load_hyp(Path(args[1]))
    if "--map-speakers" in sys.argv:
        hyp = map_speakers(truth, hyp)
    print(json.dumps(score(truth, hyp)))


if __name__ == "__main__":
    main()
