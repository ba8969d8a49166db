"""Recording notifications: S3 ``ObjectCreated`` events delivered through SQS."""

from reflector_adapters.notifications.config import SqsQueueConfig
from reflector_adapters.notifications.s3_events import S3EventMessage, notification_from_message, parse_event_body
from reflector_adapters.notifications.sqs import SqsRecordingNotifications

__all__ = [
    "S3EventMessage",
    "SqsQueueConfig",
    "SqsRecordingNotifications",
    "notification_from_message",
    "parse_event_body",
]
