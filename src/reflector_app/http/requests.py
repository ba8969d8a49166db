"""The request class of the app: Litestar's, with JSON nested too deeply answered 400 instead of 500."""

from __future__ import annotations

from typing import Any

from litestar import Request
from litestar.exceptions import ClientException


class BoundedJsonRequest(Request[Any, Any, Any]):
    """msgspec raises ``RecursionError`` (not a decode error) past its depth limit; that is bad input."""

    async def json(self) -> Any:
        try:
            return await super().json()
        except RecursionError:
            raise ClientException("JSON nested too deeply") from None
