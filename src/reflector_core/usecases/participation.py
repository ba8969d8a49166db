"""Taking part in a meeting without an account: entering a room and recording one's consent decision.

``enter`` is what the room page does for everyone (signed out too): it returns how to join the room's
active meeting, the visitor's participant token (``participant_tokens``) and what the page must show
(the consent question when the room's policy asks it, the recording state). A visitor who already
holds a valid token for this meeting keeps their participant id, so a reload does not ask again.

``decide`` records a decision presented with such a token, and only for the meeting it names. A
repeated identical decision changes nothing (no new row, no second deletion job): the route is
idempotent. A changed decision replaces the earlier one; a refusal triggers the consent deletion.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from attrs import frozen

from reflector_core import participant_tokens
from reflector_core.errors import NotFoundError
from reflector_core.model import (
    ConsentChoice,
    ConsentDecision,
    ConsentPolicy,
    MeetingRecording,
    Platform,
)
from reflector_core.ports import Clock, JobQueue, UnitOfWork, VideoPlatform
from reflector_core.usecases.access import owned_meeting
from reflector_core.usecases.consent import record_consent
from reflector_core.usecases.meetings import JoinInfo, MeetingOutcome, join_info


@frozen
class Visit:
    outcome: MeetingOutcome
    join: JoinInfo
    participant: str
    token: str
    consent_required: bool
    decision: ConsentDecision | None
    """This visitor's latest decision in this meeting (``None``: not asked yet)."""
    recording: MeetingRecording | None


def _latest(decisions: list[ConsentDecision], participant: str) -> ConsentDecision | None:
    mine = [d for d in decisions if d.participant == participant]
    return max(mine, key=lambda d: d.at) if mine else None


async def enter(
    outcome: MeetingOutcome,
    *,
    user: str | None,
    presented_token: str | None,
    key: bytes,
    unit_of_work: Callable[[], UnitOfWork],
    platforms: Mapping[Platform, VideoPlatform],
    clock: Clock,
) -> Visit:
    """How ``user`` (``None``: signed out) takes part in ``outcome``'s meeting (the caller got or created it).

    The participant is the signed-in user's name (the owner's decision is recorded under them), the
    participant of a still-valid token for this meeting, or a new anonymous ``guest-…`` id.
    """
    meeting = outcome.meeting
    meeting_id = meeting.id or ""
    if user is not None:
        participant = user
    else:
        try:
            participant = participant_tokens.verify(key, presented_token, meeting_id, clock.now()).participant
        except participant_tokens.ParticipantTokenError:
            participant = participant_tokens.new_participant()
    token = participant_tokens.issue(key, meeting_id, participant, meeting.end)
    join = await join_info(outcome, user=user, platforms=platforms)
    async with unit_of_work() as uow:
        decisions = await uow.consents.for_meeting(meeting_id)
        recording = await uow.meeting_recordings.get(meeting_id)
    return Visit(
        outcome=outcome,
        join=join,
        participant=participant,
        token=token,
        consent_required=outcome.room.consent_policy is not ConsentPolicy.NOT_REQUIRED,
        decision=_latest(decisions, participant),
        recording=recording,
    )


async def participant_of(token: str | None, meeting_id: str, *, key: bytes, clock: Clock) -> str:
    """The participant a token speaks for in ``meeting_id``; ``ParticipantTokenError`` otherwise."""
    return participant_tokens.verify(key, token, meeting_id, clock.now()).participant


async def decide(
    meeting_id: str,
    participant: str,
    choice: ConsentChoice,
    *,
    unit_of_work: Callable[[], UnitOfWork],
    queue: JobQueue,
    clock: Clock,
) -> tuple[ConsentDecision, bool]:
    """Record ``participant``'s decision; ``(decision, changed)``, ``changed`` false for a repeat."""
    async with unit_of_work() as uow:
        if await uow.meetings.get(meeting_id) is None:
            raise NotFoundError("meeting", meeting_id)
        current = _latest(await uow.consents.for_meeting(meeting_id), participant)
    if current is not None and current.choice is choice:
        return current, False
    decision = await record_consent(
        meeting_id, participant, choice, unit_of_work=unit_of_work, queue=queue, clock=clock
    )
    return decision, True


@frozen
class ParticipantView:
    participant: str
    decision: ConsentDecision | None
    recording: MeetingRecording | None


async def participant_view(
    meeting_id: str, participant: str, *, unit_of_work: Callable[[], UnitOfWork]
) -> ParticipantView:
    """What the room page polls: this participant's decision and the recording state."""
    async with unit_of_work() as uow:
        if await uow.meetings.get(meeting_id) is None:
            raise NotFoundError("meeting", meeting_id)
        decisions = await uow.consents.for_meeting(meeting_id)
        recording = await uow.meeting_recordings.get(meeting_id)
    return ParticipantView(participant, _latest(decisions, participant), recording)


async def decisions_of(meeting_id: str, owner: str, *, unit_of_work: Callable[[], UnitOfWork]) -> list[ConsentDecision]:
    """Every participant's latest decision in the owner's meeting, oldest first."""
    await owned_meeting(meeting_id, owner, unit_of_work=unit_of_work)
    async with unit_of_work() as uow:
        decisions = await uow.consents.for_meeting(meeting_id)
    return sorted(decisions, key=lambda d: (d.at, d.participant))
