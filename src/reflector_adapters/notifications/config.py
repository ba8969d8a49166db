"""Settings of the recording notification queue."""

from __future__ import annotations

from attrs import field, frozen, validators

from reflector_core.errors import ConfigurationError

SQS_MAX_VISIBILITY = 12 * 3600


@frozen
class SqsQueueConfig:
    """The SQS queue that receives the Whereby bucket's S3 ``ObjectCreated`` events.

    ``visibility_timeout`` hides a received message for that long: it must exceed the time between
    receiving a message and acknowledging it (recording what it announced), or a second consumer
    gets the same message meanwhile. Without access keys the default AWS credential chain is used.
    """

    queue_url: str = field(validator=validators.min_len(1))
    region: str | None = None
    access_key_id: str | None = field(default=None, repr=False)
    secret_access_key: str | None = field(default=None, repr=False)
    session_token: str | None = field(default=None, repr=False)
    endpoint_url: str | None = None
    visibility_timeout: int = field(default=300, validator=[validators.ge(0), validators.le(SQS_MAX_VISIBILITY)])
    connect_timeout: float = 10.0
    read_timeout: float = 60.0
    """Must stay above the long-poll wait (at most 20 s), or every empty poll would time out."""
    max_attempts: int = 3

    def __attrs_post_init__(self) -> None:
        if (self.access_key_id is None) != (self.secret_access_key is None):
            raise ConfigurationError(
                f"queue {self.queue_url}: set both access_key_id and secret_access_key, or neither "
                "(to use the default credential chain)"
            )
        if self.read_timeout <= 20:
            raise ConfigurationError(f"queue {self.queue_url}: read_timeout must exceed the 20 s long-poll wait")

    @property
    def effective_region(self) -> str:
        """The configured region, else the one in an AWS queue URL (``https://sqs.{region}.amazonaws.com/...``)."""
        if self.region:
            return self.region
        host = self.queue_url.split("://", 1)[-1].split("/", 1)[0]
        parts = host.split(".")
        if len(parts) >= 4 and parts[0] == "sqs" and parts[2] == "amazonaws":
            return parts[1]
        return "us-east-1"
