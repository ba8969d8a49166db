"""``LlmNotesWriter``: meeting notes from any OpenAI-compatible chat-completions endpoint.

Ollama, vLLM, llama.cpp's server and hosted APIs all speak ``POST {base}/chat/completions``. The
meeting is cut at topic boundaries (the same lexical segmenter as the offline writer) into chunks
that fit the context budget, never truncated; each chunk is asked for its topics and action items,
then one last request writes the title and summaries from the topics. Every answer is parsed as
JSON and validated against a JSON Schema (``prompts/*.schema.json``) plus the turn numbers it may
use; an invalid answer is sent back with the problem, a bounded number of times. 429, 5xx and
timeouts are retried with exponential backoff (``Retry-After`` honoured). Prompts are the files in
``prompts/``.
"""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import Awaitable, Callable, Sequence
from functools import cache
from importlib import resources
from typing import Any

import httpx
import jsonschema
from attrs import field, frozen

from reflector_adapters.notes.chunks import estimate_tokens, plan, turn_line
from reflector_adapters.notes.extractive import topic_starts
from reflector_core.errors import NotesError
from reflector_core.exports.notes import clock
from reflector_core.model import ActionItem, MeetingNotes, Topic
from reflector_core.ports import Utterance

RETRYABLE = frozenset({408, 409, 425, 429, 500, 502, 503, 504})


@frozen
class LlmSettings:
    url: str
    """The API base (``http://localhost:11434/v1``) or the full ``…/chat/completions`` URL."""
    model: str
    api_key: str | None = field(default=None, repr=False)
    context_tokens: int = 8192
    max_output_tokens: int = 1500
    timeout: float = 120.0
    max_attempts: int = 5
    """Per request, for 429, 5xx, timeouts and refused connections."""
    first_backoff: float = 1.0
    max_backoff: float = 30.0
    repair_attempts: int = 2
    """How many times an answer that is not valid JSON for the schema is sent back to be fixed."""
    temperature: float = 0.2

    @property
    def endpoint(self) -> str:
        base = self.url.rstrip("/")
        return base if base.endswith("/chat/completions") else f"{base}/chat/completions"


@cache
def prompt(name: str) -> str:
    return resources.files("reflector_adapters.notes").joinpath("prompts", name).read_text(encoding="utf-8")


@cache
def schema(name: str) -> jsonschema.Draft202012Validator:
    return jsonschema.Draft202012Validator(json.loads(prompt(f"{name}.schema.json")))


class InvalidAnswer(Exception):
    """The model answered, but not with what was asked; the message tells it what to fix."""


_FENCE = re.compile(r"^\s*```(?:json)?\s*|\s*```\s*$", re.I)


def parse_answer(content: str, validator: jsonschema.Draft202012Validator) -> dict[str, Any]:
    text = _FENCE.sub("", content.strip())
    first, last = text.find("{"), text.rfind("}")
    if first < 0 or last < first:
        raise InvalidAnswer("the answer holds no JSON object")
    try:
        data = json.loads(text[first : last + 1])
    except ValueError as exc:
        raise InvalidAnswer(f"the JSON does not parse ({exc})") from exc
    error = jsonschema.exceptions.best_match(validator.iter_errors(data))
    if error is not None:
        where = "/".join(str(p) for p in error.absolute_path) or "the top level"
        raise InvalidAnswer(f"at {where}: {error.message}")
    assert isinstance(data, dict)
    return data


class LlmNotesWriter:
    def __init__(
        self,
        settings: LlmSettings,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self.settings = settings
        self._transport = transport
        self._sleep = sleep
        self.requests = 0
        """Chat requests sent (retries included): what a run cost."""

    @property
    def method(self) -> str:
        return f"llm:{self.settings.model}"

    def _budget(self) -> int:
        # The prompt around the turns, plus a previous topic's title (a few dozen tokens at most).
        overhead = estimate_tokens(prompt("system.md") + prompt("chunk.md") + prompt("continuation.md")) + 128
        budget = self.settings.context_tokens - self.settings.max_output_tokens - overhead
        if budget < 200:
            raise NotesError(self.method, f"a context of {self.settings.context_tokens} tokens leaves no room for text")
        return budget

    async def write(self, utterances: Sequence[Utterance], *, duration: float | None) -> MeetingNotes:
        items = [u for u in utterances if u.text.strip()]
        if not items:
            raise NotesError(self.method, "the transcript has no words")
        chunks = plan(items, await asyncio.to_thread(topic_starts, items), self._budget())
        headers = {"Authorization": f"Bearer {self.settings.api_key}"} if self.settings.api_key else {}
        async with httpx.AsyncClient(
            transport=self._transport, timeout=self.settings.timeout, headers=headers
        ) as client:
            topics: list[tuple[int, str, str]] = []
            actions: list[ActionItem] = []
            for part, (lo, hi) in enumerate(chunks, start=1):
                previous = topics[-1] if topics else None
                found, items_found, continues = await self._chunk(client, items, lo, hi, part, len(chunks), previous)
                if continues and previous is not None:
                    # A chunk edge is not a topic change: the part's first topic is the rest of the last one.
                    _, _, rest = found.pop(0)
                    topics[-1] = (previous[0], previous[1], f"{previous[2]} {rest}".strip())
                topics += found
                actions += items_found
            shaped = self._topics(items, topics, duration)
            meeting = await self._meeting(client, shaped)
        return MeetingNotes(
            title=meeting["title"].strip(),
            short_summary=meeting["short_summary"].strip(),
            long_summary=meeting["long_summary"].strip(),
            topics=tuple(shaped),
            action_items=tuple(actions),
            method=self.method,
        )

    async def _chunk(
        self,
        client: httpx.AsyncClient,
        items: Sequence[Utterance],
        lo: int,
        hi: int,
        part: int,
        parts: int,
        previous: tuple[int, str, str] | None,
    ) -> tuple[list[tuple[int, str, str]], list[ActionItem], bool]:
        text = "\n".join(turn_line(i, items[i]) for i in range(lo, hi))
        carry = prompt("continuation.md").format(title=previous[1]) if previous else ""
        user = prompt("chunk.md").format(
            part=part, parts=parts, first_turn=lo, last_turn=hi - 1, transcript=text, previous=carry
        )

        def check(data: dict[str, Any]) -> None:
            for t in data["topics"]:
                if not lo <= t["first_turn"] < hi:
                    raise InvalidAnswer(
                        f"topic first_turn {t['first_turn']} is not a turn of this part ({lo}–{hi - 1})"
                    )
            for a in data["action_items"]:
                if not lo <= a["turn"] < hi:
                    raise InvalidAnswer(f"action item turn {a['turn']} is not a turn of this part ({lo}–{hi - 1})")

        data = await self._ask(client, user, "chunk", check)
        starts = sorted({max(lo, t["first_turn"]): t for t in data["topics"]}.items())
        # The part's first turn always opens a topic: a model that starts later does not lose turns.
        topics = [
            (lo if k == 0 else first, t["title"].strip(), t["summary"].strip()) for k, (first, t) in enumerate(starts)
        ]
        names = {u.speaker.lower(): u.speaker for u in items[lo:hi]}
        actions = [
            ActionItem(
                text=a["text"].strip(),
                speaker=names.get((a.get("owner") or "").strip().lower(), (a.get("owner") or "").strip() or None),
                start=round(items[a["turn"]].start, 3),
            )
            for a in sorted(data["action_items"], key=lambda a: a["turn"])
        ]
        return topics, actions, bool(data.get("continues_previous")) and previous is not None

    def _topics(
        self, items: Sequence[Utterance], topics: Sequence[tuple[int, str, str]], duration: float | None
    ) -> list[Topic]:
        out: list[Topic] = []
        for k, (first, title, summary) in enumerate(topics):
            end_turn = topics[k + 1][0] if k + 1 < len(topics) else len(items)
            end = items[end_turn - 1].end
            if k + 1 == len(topics) and duration is not None:
                end = max(end, duration)
            out.append(Topic(title=title, summary=summary, start=round(items[first].start, 3), end=round(end, 3)))
        return out

    async def _meeting(self, client: httpx.AsyncClient, topics: Sequence[Topic]) -> dict[str, Any]:
        listed = "\n".join(f"- {clock(t.start)}–{clock(t.end)} {t.title}: {t.summary}" for t in topics)
        if estimate_tokens(listed) > self._budget():
            # Hundreds of topics: their titles carry the meeting; the summaries stay in the topics.
            listed = "\n".join(f"- {clock(t.start)} {t.title}" for t in topics)
        return await self._ask(client, prompt("meeting.md").format(topics=listed), "meeting", lambda _: None)

    async def _ask(
        self, client: httpx.AsyncClient, user: str, kind: str, check: Callable[[dict[str, Any]], None]
    ) -> dict[str, Any]:
        messages = [{"role": "system", "content": prompt("system.md")}, {"role": "user", "content": user}]
        problem = ""
        for _ in range(self.settings.repair_attempts + 1):
            content = await self._complete(client, messages)
            try:
                data = parse_answer(content, schema(kind))
                check(data)
                return data
            except InvalidAnswer as exc:
                problem = str(exc)
            messages += [
                {"role": "assistant", "content": content},
                {"role": "user", "content": prompt("repair.md").format(problem=problem)},
            ]
        raise NotesError(
            self.method, f"no valid {kind} answer after {self.settings.repair_attempts + 1} tries: {problem}"
        )

    async def _complete(self, client: httpx.AsyncClient, messages: list[dict[str, str]]) -> str:
        body = {
            "model": self.settings.model,
            "messages": messages,
            "temperature": self.settings.temperature,
            "max_tokens": self.settings.max_output_tokens,
            "response_format": {"type": "json_object"},
        }
        reason = ""
        for attempt in range(1, self.settings.max_attempts + 1):
            self.requests += 1
            try:
                response = await client.post(self.settings.endpoint, json=body)
            except httpx.TimeoutException:
                reason, wait = "timed out", None
            except httpx.TransportError as exc:
                reason, wait = f"connection failed ({exc.__class__.__name__})", None
            else:
                if response.status_code == 200:
                    return self._content(response)
                if response.status_code not in RETRYABLE:
                    raise NotesError(self.method, f"HTTP {response.status_code}: {response.text[:300]}")
                reason, wait = f"HTTP {response.status_code}", _retry_after(response)
            if attempt < self.settings.max_attempts:
                backoff = self.settings.first_backoff * 2 ** (attempt - 1)
                await self._sleep(min(self.settings.max_backoff, wait if wait is not None else backoff))
        raise NotesError(self.method, f"{reason} after {self.settings.max_attempts} attempts")

    def _content(self, response: httpx.Response) -> str:
        try:
            content = response.json()["choices"][0]["message"]["content"]
        except (ValueError, LookupError, TypeError) as exc:
            raise NotesError(self.method, f"not a chat-completions response: {response.text[:300]}") from exc
        if not isinstance(content, str):
            raise NotesError(self.method, "the response's message has no text content")
        return content


def _retry_after(response: httpx.Response) -> float | None:
    try:
        return max(0.0, float(response.headers.get("Retry-After", "")))
    except ValueError:
        return None
