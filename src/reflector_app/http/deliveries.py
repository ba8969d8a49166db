"""The outbound webhook history of a transcript: ``GET /v1/transcripts/{id}/webhooks``."""

from __future__ import annotations

from typing import Annotated

from litestar import get
from litestar.di import NamedDependency
from litestar.params import PathParameter

from reflector_app.container import UnitOfWorkFactory
from reflector_app.http.openapi import AUTH, documented
from reflector_app.http.schemas import DeliveryOut
from reflector_core.usecases.access import webhook_history


@get(
    "/v1/transcripts/{transcript_id:str}/webhooks",
    tags=["transcripts"],
    summary="Outbound webhook deliveries about the transcript, with every attempt",
    responses=documented(*AUTH, 400, 404),
)
async def transcript_webhooks(
    transcript_id: Annotated[str, PathParameter(max_length=200)],
    unit_of_work: NamedDependency[UnitOfWorkFactory],
    user: NamedDependency[str],
) -> list[DeliveryOut]:
    deliveries = await webhook_history(transcript_id, user, unit_of_work=unit_of_work)
    return [DeliveryOut.of(d) for d in deliveries]


handlers = [transcript_webhooks]
