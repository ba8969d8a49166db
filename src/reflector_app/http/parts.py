"""``Part[T]``: a handler parameter that is one part the composition root built, taken as it is.

Litestar validates every injected value against its annotation on every request. For our parts the
annotations are Protocols (``Clock``, ``JobQueue``) and mappings of them, so that costs runtime
``isinstance`` checks against each Protocol's members: about a millisecond per request, most of a
webhook's CPU time (measured with py-spy and cProfile, docs/operations.md). The values come from our
own wiring, not from the client, so there is nothing to validate.
"""

from __future__ import annotations

from typing import Annotated, TypeAlias, TypeVar

from litestar.di import Dependency
from litestar.params import SkipValidationMarker

T = TypeVar("T")

Part: TypeAlias = Annotated[T, Dependency(kind="named"), SkipValidationMarker()]
