"""API-key authentication: ``Authorization: Bearer rk_…`` on every route that is not public.

A request without that header may instead carry a signed-in browser session (``web/session.py``):
its user is the owner then, and the CSRF middleware has already checked unsafe methods.

A Litestar authentication middleware resolves the key to its owner once per request (one indexed
lookup by hash) and puts the owner in ``request.user``; ``identity.provide_user`` hands it to the
handlers, and the core's ``access`` use cases scope every read and write to that owner.

Public routes opt out with ``opt=PUBLIC``: the platform webhooks (they carry their own signatures)
and the health probes. Share links, when they exist, are the place to use it too; such a handler
must then check its own unguessable token, because no key protects it.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any, Final

from litestar.connection import ASGIConnection
from litestar.exceptions import NotAuthorizedException
from litestar.middleware import AbstractAuthenticationMiddleware, AuthenticationResult, DefineMiddleware
from litestar.types import ASGIApp

from reflector_app.web.session import session_owner
from reflector_core.errors import AuthenticationError
from reflector_core.ports import UnitOfWork
from reflector_core.usecases.api_keys import authenticate

PUBLIC_OPT: Final = "public"
PUBLIC: Final[dict[str, Any]] = {PUBLIC_OPT: True}
"""``opt`` of a route handler served without an API key."""

REALM = 'Bearer realm="reflector"'


def bearer_token(header: str | None) -> str | None:
    """The credentials of an ``Authorization: Bearer …`` header (the scheme is case-insensitive)."""
    if not header:
        return None
    scheme, _, token = header.strip().partition(" ")
    if scheme.lower() != "bearer":
        return None
    return token.strip() or None


class ApiKeyMiddleware(AbstractAuthenticationMiddleware):
    def __init__(
        self, app: ASGIApp, *, unit_of_work: Callable[[], UnitOfWork], exclude: str | list[str] | None = None
    ) -> None:
        super().__init__(app, exclude=exclude, exclude_from_auth_key=PUBLIC_OPT)
        self._unit_of_work = unit_of_work

    async def authenticate_request(self, connection: ASGIConnection[Any, Any, Any, Any]) -> AuthenticationResult:
        presented = bearer_token(connection.headers.get("authorization"))
        if presented is None and (owner := session_owner(connection)) is not None:
            # A signed-in browser acts as its user, who is an owner exactly like a key's owner.
            return AuthenticationResult(user=owner, auth=None)
        try:
            owner = await authenticate(presented, unit_of_work=self._unit_of_work)
        except AuthenticationError as exc:
            # RFC 6750: a presented but unusable token is "invalid_token"; a missing one gets the bare challenge.
            challenge = REALM if presented is None else f'{REALM}, error="invalid_token"'
            raise NotAuthorizedException(detail=str(exc), headers={"WWW-Authenticate": challenge}) from None
        return AuthenticationResult(user=owner, auth=None)


def api_key_middleware(unit_of_work: Callable[[], UnitOfWork], *, schema_path: str) -> DefineMiddleware:
    """The middleware for ``create_app``; the OpenAPI document under ``schema_path`` stays public."""
    return DefineMiddleware(
        ApiKeyMiddleware, unit_of_work=unit_of_work, exclude=[rf"^{re.escape(schema_path.rstrip('/'))}(/|$)"]
    )
