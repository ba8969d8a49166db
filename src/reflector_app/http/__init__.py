"""The HTTP API: Litestar handlers that parse requests, call the core and map results to HTTP."""

from reflector_app.http.app import create_app

__all__ = ["create_app"]
