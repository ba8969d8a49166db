"""One aiobotocore client owned by an adapter: opened on demand, closed once, usable with ``async with``.

S3 buckets and the SQS queue differ only in the service name and the client's settings; the
lifecycle (an exit stack around ``create_client``, cleaned up if opening fails half-way) is here once.
"""

from __future__ import annotations

from contextlib import AsyncExitStack
from types import TracebackType
from typing import Any, Self

from aiobotocore.session import AioSession, get_session


class OwnedClient:
    """Base of adapters that own one aiobotocore client; subclasses say which and how."""

    service: str

    def __init__(self, session: AioSession | None = None) -> None:
        self._session = session or get_session()
        self._stack: AsyncExitStack | None = None
        self._client: Any = None

    def client_arguments(self) -> dict[str, Any]:
        """Keyword arguments for ``AioSession.create_client`` (region, endpoint, keys, config)."""
        raise NotImplementedError

    async def open(self) -> None:
        if self._client is not None:
            return
        stack = AsyncExitStack()
        try:
            self._client = await stack.enter_async_context(
                self._session.create_client(self.service, **self.client_arguments())
            )
        except BaseException:
            await stack.aclose()
            raise
        self._stack = stack

    async def close(self) -> None:
        stack, self._stack, self._client = self._stack, None, None
        if stack is not None:
            await stack.aclose()

    async def __aenter__(self) -> Self:
        await self.open()
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.close()
