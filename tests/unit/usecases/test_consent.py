from __future__ import annotations

from datetime import timedelta

import pytest

from reflector_core.errors import InvalidInputError, NotFoundError
from reflector_core.model import ConsentChoice, Meeting, Platform
from reflector_core.usecases.consent import ApplyConsent, record_consent
from tests.fakes.memory import FixedClock, MemoryStore, MemoryUnitOfWork, RecordingQueue


def _setup() -> tuple[MemoryStore, RecordingQueue, FixedClock, dict]:  # type: ignore[type-arg]
    store, queue, clock = MemoryStore(), RecordingQueue(), FixedClock()
    now = clock.now()
    store.meetings["m1"] = Meeting(Platform.DAILY, "pm", "r-1", "u", "h", now, now + timedelta(hours=1), "r", id="m1")
    return store, queue, clock, {"unit_of_work": lambda: MemoryUnitOfWork(store), "queue": queue, "clock": clock}


async def test_given_is_stored_only() -> None:
    store, queue, clock, kw = _setup()
    decision = await record_consent("m1", " u-1 ", ConsentChoice.GIVEN, **kw)
    assert (decision.participant, decision.at) == ("u-1", clock.now())
    assert store.consents == [decision]
    assert queue.jobs == []


async def test_refusal_enqueues_the_deletion() -> None:
    _, queue, _, kw = _setup()
    await record_consent("m1", "u-1", ConsentChoice.REFUSED, **kw)
    assert queue.jobs == [ApplyConsent("m1")]


async def test_unknown_meeting_and_bad_participant() -> None:
    store, queue, _, kw = _setup()
    with pytest.raises(NotFoundError):
        await record_consent("nope", "u", ConsentChoice.REFUSED, **kw)
    for who in ("", "   ", "x" * 201):
        with pytest.raises(InvalidInputError):
            await record_consent("m1", who, ConsentChoice.REFUSED, **kw)
    assert store.consents == []
    assert queue.jobs == []
