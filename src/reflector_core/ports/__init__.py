"""The ports: what the use cases need from the world, as ``typing.Protocol``s, one module per concern.

Adapters implement them (see docs/architecture.md for which adapter implements which port); use
cases receive them as arguments and never know which one they got. The values the ports exchange
(``Page``, ``Waveform``, ``ObjectInfo``…) live in ``reflector_core.model``; they are re-exported here
so ``from reflector_core.ports import X`` works for every name a port's signature uses.
"""

from reflector_core.events import Notification
from reflector_core.model import (
    ObjectInfo,
    Page,
    PlatformParticipant,
    TranscriptFilter,
    Utterance,
    Waveform,
)
from reflector_core.ports.accounts import PasswordHasher
from reflector_core.ports.diarization import DiarizationSession, Diarizer
from reflector_core.ports.media import AudioEngine, Pipeline, ProgressCallback, Transcriber
from reflector_core.ports.notes import NotesWriter
from reflector_core.ports.outbound import WebhookSender
from reflector_core.ports.persistence import (
    ApiKeyRepository,
    ConsentRepository,
    DeletedObjectRepository,
    InboundEventRepository,
    MeetingRecordingRepository,
    MeetingRepository,
    NotesRepository,
    OutboundDeliveryRepository,
    ParticipantSessionRepository,
    PollCursorRepository,
    RecordingRepository,
    RoomRepository,
    SearchRepository,
    ShareRepository,
    TranscriptEditRepository,
    TranscriptRepository,
    UnitOfWork,
    UserRepository,
)
from reflector_core.ports.platforms import (
    ParticipantDirectory,
    RecordingControl,
    RecordingSource,
    VideoPlatform,
    WebhookVerifier,
)
from reflector_core.ports.runtime import Clock, JobQueue
from reflector_core.ports.storage import ObjectStorage, RecordingNotifications
from reflector_core.ports.work import WorkFolders
from reflector_core.processing import PipelineResult, SourceFile
from reflector_core.timeline import MixInput

__all__ = [
    "ApiKeyRepository",
    "AudioEngine",
    "Clock",
    "ConsentRepository",
    "DeletedObjectRepository",
    "DiarizationSession",
    "Diarizer",
    "InboundEventRepository",
    "JobQueue",
    "MeetingRecordingRepository",
    "MeetingRepository",
    "MixInput",
    "NotesRepository",
    "NotesWriter",
    "Notification",
    "ObjectInfo",
    "ObjectStorage",
    "OutboundDeliveryRepository",
    "Page",
    "ParticipantDirectory",
    "ParticipantSessionRepository",
    "PasswordHasher",
    "Pipeline",
    "PipelineResult",
    "PlatformParticipant",
    "PollCursorRepository",
    "ProgressCallback",
    "RecordingControl",
    "RecordingNotifications",
    "RecordingRepository",
    "RecordingSource",
    "RoomRepository",
    "SearchRepository",
    "ShareRepository",
    "SourceFile",
    "Transcriber",
    "TranscriptEditRepository",
    "TranscriptFilter",
    "TranscriptRepository",
    "UnitOfWork",
    "UserRepository",
    "Utterance",
    "VideoPlatform",
    "Waveform",
    "WebhookSender",
    "WebhookVerifier",
    "WorkFolders",
]
