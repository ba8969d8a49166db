"""The LLM notes writer against a fake OpenAI-compatible server over HTTP on loopback."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest

from reflector_adapters.notes.llm import LlmNotesWriter, LlmSettings
from reflector_core.errors import NotesError
from reflector_core.ports import Utterance
from tests.fakes.llm_api import FakeLlm, Reply, answer, is_meeting_request, prompt_turns

MEETING = {"title": "Storage and budget", "short_summary": "Two topics.", "long_summary": "Storage. Budget."}


def chunk_answer(body: dict[str, Any]) -> Reply:
    """A well-behaved model: one topic per part, an action item on its first turn owned by its speaker."""
    if is_meeting_request(body):
        return answer(MEETING)
    turns = prompt_turns(body)
    first, speaker, _ = turns[0]
    return answer(
        {
            "topics": [{"first_turn": first, "title": f"Part from {first}", "summary": "Things were said."}],
            "action_items": [{"turn": first, "text": "Do the thing", "owner": speaker}],
        }
    )


ITEMS = [
    Utterance("Lena", 0.0, 4.0, "The storage migration went live on Tuesday."),
    Utterance("Omar", 5.0, 9.0, "I will open a ticket for the retries."),
    Utterance("Lena", 10.0, 14.0, "The conference budget was approved."),
]


def writer(server: FakeLlm, **kw: Any) -> tuple[LlmNotesWriter, list[float]]:
    slept: list[float] = []

    async def sleep(seconds: float) -> None:
        slept.append(seconds)

    settings = {"url": server.url, "model": "fake-1", "api_key": "sk-test", "max_attempts": 3, **kw}
    return LlmNotesWriter(LlmSettings(**settings), sleep=sleep), slept


@pytest.fixture
def good() -> Iterator[FakeLlm]:
    server = FakeLlm(chunk_answer).start()
    yield server
    server.stop()


async def test_a_good_model_gives_labelled_notes_with_times_from_the_turns(good: FakeLlm) -> None:
    w, _ = writer(good)
    notes = await w.write(ITEMS, duration=20.0)
    assert notes.method == "llm:fake-1"
    assert (notes.title, notes.short_summary) == ("Storage and budget", "Two topics.")
    assert [(t.title, t.start, t.end) for t in notes.topics] == [("Part from 0", 0.0, 20.0)]
    assert [(a.text, a.speaker, a.start) for a in notes.action_items] == [("Do the thing", "Lena", 0.0)]
    first = good.requests[0]
    assert first["model"] == "fake-1" and first["response_format"] == {"type": "json_object"}
    assert "[1] Omar (0:05): I will open a ticket for the retries." in first["messages"][1]["content"]
    assert good.headers[0]["Authorization"] == "Bearer sk-test"
    assert len(good.requests) == 2  # one chunk, one meeting summary


async def test_a_long_meeting_is_chunked_at_topics_and_nothing_is_left_out(good: FakeLlm) -> None:
    items = [
        Utterance("Lena" if i % 2 else "Omar", i * 10.0, i * 10.0 + 8, f"Sentence number {i} about item {i}.")
        for i in range(300)
    ]
    w, _ = writer(good, context_tokens=1500, max_output_tokens=256)
    notes = await w.write(items, duration=None)
    chunks = [prompt_turns(r) for r in good.requests if not is_meeting_request(r)]
    assert len(chunks) > 3
    sent = [n for chunk in chunks for n, _, _ in chunk]
    assert sent == list(range(300))  # every turn, once, in order
    assert len(notes.topics) == len(chunks) and notes.topics[-1].end == items[-1].end


async def test_a_part_that_continues_the_previous_topic_is_stitched_to_it() -> None:
    def respond(body: dict[str, Any]) -> Reply:
        reply = chunk_answer(body)
        if is_meeting_request(body):
            return reply
        data = json.loads(reply.content or "{}")
        data["continues_previous"] = True  # every part carries on with the topic before it
        return answer(data)

    server = FakeLlm(respond).start()
    items = [Utterance("Ann", i * 10.0, i * 10.0 + 8, f"Sentence number {i} about item {i}.") for i in range(200)]
    try:
        w, _ = writer(server, context_tokens=1500, max_output_tokens=256)
        notes = await w.write(items, duration=None)
    finally:
        server.stop()
    chunks = [r for r in server.requests if not is_meeting_request(r)]
    assert len(chunks) > 2
    assert 'The previous part of the meeting ended with the topic "Part from 0"' in chunks[1]["messages"][1]["content"]
    assert [t.title for t in notes.topics] == ["Part from 0"]  # one topic across every part
    assert notes.topics[0].end == items[-1].end
    assert len(notes.action_items) == len(chunks)  # stitching topics loses no action item


async def test_rate_limits_and_server_errors_are_retried_with_backoff() -> None:
    server = FakeLlm.scripted(
        [Reply(status=429, raw="{}", headers=(("Retry-After", "7"),)), Reply(status=503, raw="{}")], then=chunk_answer
    ).start()
    try:
        w, slept = writer(server)
        notes = await w.write(ITEMS, duration=None)
    finally:
        server.stop()
    assert notes.title == "Storage and budget"
    assert slept == [7.0, 2.0]  # Retry-After honoured, then 1 s doubled
    assert w.requests == 4


async def test_timeouts_are_retried_then_reported() -> None:
    server = FakeLlm.scripted([Reply(delay=1.0, content="{}")] * 3).start()
    try:
        w, slept = writer(server, timeout=0.2)
        with pytest.raises(NotesError, match="timed out after 3 attempts"):
            await w.write(ITEMS, duration=None)
    finally:
        server.stop()
    assert slept == [1.0, 2.0]


async def test_malformed_json_is_sent_back_with_the_problem_and_fixed() -> None:
    server = FakeLlm.scripted(
        [
            Reply(content='Sure! Here are the notes: {"topics": [oops]}'),
            Reply(content="```json\n" + json.dumps({"topics": [], "action_items": []}) + "\n```"),
        ],
        then=chunk_answer,
    ).start()
    try:
        w, _ = writer(server)
        notes = await w.write(ITEMS, duration=None)
    finally:
        server.stop()
    assert notes.topics[0].title == "Part from 0"
    repair = server.requests[1]["messages"]
    assert repair[-2] == {"role": "assistant", "content": 'Sure! Here are the notes: {"topics": [oops]}'}
    assert "does not parse" in repair[-1]["content"]
    assert "at topics: [] should be non-empty" in server.requests[2]["messages"][-1]["content"]
    assert len(server.requests) == 4


async def test_a_model_that_ignores_the_schema_fails_after_bounded_retries() -> None:
    ignoring = {"notes": "Everyone talked about storage.", "tasks": ["tickets"]}
    server = FakeLlm(lambda body: answer(ignoring)).start()
    try:
        w, _ = writer(server, repair_attempts=2)
        with pytest.raises(NotesError, match="no valid chunk answer after 3 tries"):
            await w.write(ITEMS, duration=None)
    finally:
        server.stop()
    assert len(server.requests) == 3


async def test_turn_numbers_outside_the_part_are_refused() -> None:
    wrong = answer({"topics": [{"first_turn": 99, "title": "x", "summary": "y"}], "action_items": []})
    server = FakeLlm.scripted([wrong], then=chunk_answer).start()
    try:
        w, _ = writer(server)
        notes = await w.write(ITEMS, duration=None)
    finally:
        server.stop()
    assert "first_turn 99 is not a turn of this part" in server.requests[1]["messages"][-1]["content"]
    assert notes.topics[0].start == 0.0


async def test_client_errors_are_not_retried() -> None:
    server = FakeLlm.scripted([Reply(status=401, raw='{"error": "bad key"}')]).start()
    try:
        w, slept = writer(server)
        with pytest.raises(NotesError, match="HTTP 401"):
            await w.write(ITEMS, duration=None)
    finally:
        server.stop()
    assert slept == [] and len(server.requests) == 1


async def test_an_unreachable_server_is_a_notes_error() -> None:
    server = FakeLlm(chunk_answer).start()
    url = server.url
    server.stop()  # the port is closed now: connections are refused
    w = LlmNotesWriter(LlmSettings(url=url, model="m", max_attempts=2), sleep=lambda _: _noop())
    with pytest.raises(NotesError, match="connection failed"):
        await w.write(ITEMS, duration=None)


async def _noop() -> None:
    return None
