"""Who is calling: the owner of the request's API key (``auth.ApiKeyMiddleware`` put it in ``request.user``).

Handlers receive the caller through the ``user`` dependency only and pass it to the core's ``access``
use cases, which scope every room, meeting and transcript to it.
"""

from __future__ import annotations

from typing import Any

from litestar import Request


async def provide_user(request: Request[Any, Any, Any]) -> str:
    owner: str = request.user
    return owner
