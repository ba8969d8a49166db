"""Who is calling. For now the ``X-Reflector-User`` header; API keys replace it later.

Handlers receive the caller through the ``user`` dependency only, so authentication can become a
Litestar guard plus a different provider here without touching them.
"""

from __future__ import annotations

from typing import Any

from litestar import Request

from reflector_core.errors import InvalidInputError

USER_HEADER = "X-Reflector-User"
MAX_USER = 200


async def provide_user(request: Request[Any, Any, Any]) -> str | None:
    value = request.headers.get(USER_HEADER, "").strip()
    if len(value) > MAX_USER:
        raise InvalidInputError(f"{USER_HEADER} must be at most {MAX_USER} characters")
    return value or None
