"""Measure meeting notes: topic boundaries, action items, time. ``nox -s bench-notes``.

Quality is measured on the evaluation set of ``synth_notes.py`` (truth turns, no audio):

- topic boundary F1: a predicted topic start matches a true one at most ``--tolerance`` turns away
  (default 1), each true boundary matched once;
- action items: a predicted item is right when it sits on a turn that holds a true action item
  (each true item matched once); precision, recall, and how often the owner is right;

for the offline extractive writer, and for the LLM writer against the fake server of
``tests/fakes/llm_api.py`` answering as an *oracle* (it reads the turn numbers of each chunk and
answers with the truth for them) plus, in a second run, a rate limit and a malformed answer before
every good one. Against the oracle the figures measure the adapter (chunking at topic boundaries,
turn → time mapping, validation and retries), not a language model.

Time: offline notes of a generated 60-minute transcript, wall and CPU seconds, with a same-run
calibration loop so a loaded machine can be told from a slow change.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # tests.fakes, tools.synth_notes

from tools.synth_notes import evaluation_set, long_meeting

from reflector_adapters.notes.extractive import ExtractiveNotesWriter
from reflector_adapters.notes.llm import LlmNotesWriter, LlmSettings
from reflector_core.model import MeetingNotes
from reflector_core.ports import Utterance
from tests.fakes.llm_api import FakeLlm, Reply, answer, is_meeting_request, prompt_turns


def utterances(meeting: dict[str, Any]) -> list[Utterance]:
    return [Utterance(t["speaker"], t["start"], t["end"], t["text"]) for t in meeting["turns"]]


def turn_at(meeting: dict[str, Any], seconds: float) -> int:
    """The turn a time falls in (the last turn starting at or before it)."""
    best = 0
    for i, t in enumerate(meeting["turns"]):
        if t["start"] <= seconds + 1e-6:
            best = i
    return best


def f1(tp: int, predicted: int, truth: int) -> tuple[float, float, float]:
    p = tp / predicted if predicted else (1.0 if not truth else 0.0)
    r = tp / truth if truth else 1.0
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def match(predicted: Sequence[int], truth: Sequence[int], tolerance: int) -> int:
    free = sorted(truth)
    tp = 0
    for p in sorted(predicted):
        hit = next((t for t in free if abs(t - p) <= tolerance), None)
        if hit is not None:
            free.remove(hit)
            tp += 1
    return tp


class Totals:
    def __init__(self) -> None:
        self.b_tp = self.b_pred = self.b_true = 0
        self.a_tp = self.a_pred = self.a_true = self.owner_ok = 0

    def add(self, meeting: dict[str, Any], notes: MeetingNotes, tolerance: int) -> None:
        predicted = [turn_at(meeting, t.start) for t in notes.topics][1:]
        self.b_tp += match(predicted, meeting["boundaries"], tolerance)
        self.b_pred += len(predicted)
        self.b_true += len(meeting["boundaries"])
        truth = {i: t["action"] for i, t in enumerate(meeting["turns"]) if t["action"] is not None}
        self.a_true += len(truth)
        for item in notes.action_items:
            self.a_pred += 1
            turn = turn_at(meeting, item.start)
            if turn in truth:
                self.a_tp += 1
                self.owner_ok += (item.speaker or None) == truth.pop(turn)["owner"]

    def report(self) -> dict[str, float]:
        bp, br, bf = f1(self.b_tp, self.b_pred, self.b_true)
        ap, ar, _ = f1(self.a_tp, self.a_pred, self.a_true)
        return {
            "boundary_precision": round(bp, 3),
            "boundary_recall": round(br, 3),
            "boundary_f1": round(bf, 3),
            "action_precision": round(ap, 3),
            "action_recall": round(ar, 3),
            "action_owner_accuracy": round(self.owner_ok / self.a_tp, 3) if self.a_tp else 0.0,
            "action_items_true": self.a_true,
            "boundaries_true": self.b_true,
        }


def oracle(meetings_by_text: dict[str, tuple[dict[str, Any], int]]) -> Callable[[dict[str, Any]], Reply]:
    """Answers each chunk with the truth for the turns it carries; the meeting request with a fixed summary."""

    def respond(body: dict[str, Any]) -> Reply:
        if is_meeting_request(body):
            return answer({"title": "Meeting", "short_summary": "Summary.", "long_summary": "Long summary."})
        turns = prompt_turns(body)
        meeting, _ = meetings_by_text[turns[0][2]]
        truth = meeting["turns"]
        numbers = [n for n, _, _ in turns]
        starts = [n for n in numbers if n == numbers[0] or truth[n]["topic"] != truth[n - 1]["topic"]]
        first = numbers[0]
        return answer(
            {
                "continues_previous": first > 0 and truth[first]["topic"] == truth[first - 1]["topic"],
                "topics": [{"first_turn": n, "title": f"Topic {truth[n]['topic']}", "summary": "…"} for n in starts],
                "action_items": [
                    {"turn": n, "text": truth[n]["text"], "owner": truth[n]["action"]["owner"]}
                    for n in numbers
                    if truth[n]["action"] is not None
                ],
            }
        )

    return respond


def faulty(respond: Callable[[dict[str, Any]], Reply]) -> Callable[[dict[str, Any]], Reply]:
    """Before every good answer: a 429 with Retry-After 0, then a malformed answer, then the real one."""
    state = {"n": 0}

    def wrapped(body: dict[str, Any]) -> Reply:
        state["n"] += 1
        if body["messages"][-1]["content"].startswith("Your answer could not be used"):
            return respond({**body, "messages": body["messages"][:2]})
        if state["n"] % 2 == 1:
            return Reply(status=429, raw='{"error": "rate limited"}', headers=(("Retry-After", "0"),))
        return Reply(content='{"topics": [ this is not json')

    return wrapped


async def _llm_run(
    meetings: list[dict[str, Any]], respond: Callable[[dict[str, Any]], Reply], context: int, tolerance: int
) -> tuple[dict[str, float], int]:
    server = FakeLlm(respond).start()
    totals, requests = Totals(), 0
    try:
        for m in meetings:
            writer = LlmNotesWriter(
                LlmSettings(url=server.url, model="oracle", context_tokens=context, max_output_tokens=512),
                sleep=lambda _: asyncio.sleep(0),
            )
            totals.add(m, await writer.write(utterances(m), duration=m["duration"]), tolerance)
            requests += writer.requests
    finally:
        server.stop()
    return totals.report(), requests


def boundary_sets(seeds: list[int], args: argparse.Namespace) -> dict[str, Any]:
    """Extractive boundary P/R/F1 on several generated sets (e.g. sets not used to choose the settings)."""
    writer, pooled, out = ExtractiveNotesWriter(), Totals(), {}
    for seed in seeds:
        totals = Totals()
        for m in evaluation_set(args.meetings, seed):
            notes = writer.notes(utterances(m), m["duration"])
            totals.add(m, notes, args.tolerance)
            pooled.add(m, notes, args.tolerance)
        out[f"seed {seed}"] = {k: v for k, v in totals.report().items() if k.startswith("boundar")}
    out["pooled"] = {k: v for k, v in pooled.report().items() if k.startswith("boundar")}
    return out


def calibration() -> float:
    """A fixed CPU workload: its time in this run says how loaded the machine is."""
    start = time.perf_counter()
    rng = random.Random(0)
    data = [rng.random() for _ in range(200_000)]
    for _ in range(5):
        sorted(data)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--meetings", type=int, default=12)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--tolerance", type=int, default=1)
    parser.add_argument("--minutes", type=float, default=60.0, help="length of the timed transcript")
    parser.add_argument("--context", type=int, default=2048, help="LLM context tokens (small: many chunks)")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    parser.add_argument(
        "--boundary-seeds",
        help="only the extractive topic-boundary figures, per seed and pooled, e.g. 4,5,6,7,8 (held out)",
    )
    args = parser.parse_args()
    if args.boundary_seeds:
        print(json.dumps(boundary_sets([int(s) for s in args.boundary_seeds.split(",")], args), indent=1))
        return

    meetings = evaluation_set(args.meetings, args.seed)
    writer = ExtractiveNotesWriter()
    offline = Totals()
    for m in meetings:
        offline.add(m, writer.notes(utterances(m), m["duration"]), args.tolerance)
    figures: dict[str, Any] = {
        "set": {"meetings": len(meetings), "seed": args.seed, "turns": sum(len(m["turns"]) for m in meetings)}
    }
    figures["extractive"] = offline.report()

    # Chunk requests are looked up by their first turn's text; make every meeting's texts unique to it.
    for k, m in enumerate(meetings):
        for t in m["turns"]:
            t["text"] = f"{t['text']} (m{k})"
    by_text = {t["text"]: (m, i) for m in meetings for i, t in enumerate(m["turns"])}
    figures["llm_oracle"], figures["llm_oracle_requests"] = asyncio.run(
        _llm_run(meetings, oracle(by_text), args.context, args.tolerance)
    )
    figures["llm_oracle_with_faults"], figures["llm_faults_requests"] = asyncio.run(
        _llm_run(meetings, faulty(oracle(by_text)), args.context, args.tolerance)
    )

    # A worker imports scikit-learn and YAKE once per process; a fresh CLI run pays it every time.
    started = time.perf_counter()
    subprocess.run([sys.executable, "-c", "import reflector_adapters.notes.extractive"], check=True)
    import_s = time.perf_counter() - started
    long = long_meeting(random.Random(args.seed), args.minutes)
    items = utterances(long)
    base = calibration()
    wall, cpu = time.perf_counter(), time.process_time()
    notes = writer.notes(items, long["duration"])
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    figures["timing"] = {
        "transcript_minutes": round(long["duration"] / 60, 1),
        "turns": len(items),
        "words": sum(len(u.text.split()) for u in items),
        "notes_wall_s": round(wall, 2),
        "notes_cpu_s": round(cpu, 2),
        "fresh_process_import_s": round(import_s, 2),
        "calibration_s": round(base, 3),
        "notes_over_calibration": round(wall / base, 1),
        "topics": len(notes.topics),
        "action_items": len(notes.action_items),
    }
    text = json.dumps(figures, indent=1)
    print(text)
    if args.json:
        args.json.write_text(text)


if __name__ == "__main__":
    main()
