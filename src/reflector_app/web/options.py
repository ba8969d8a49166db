"""What the pages need beyond the container: the password hasher and the login throttle."""

from __future__ import annotations

from attrs import define, field

from reflector_adapters.passwords import Argon2Hasher
from reflector_core.ports import PasswordHasher
from reflector_core.throttle import LoginThrottle


@define
class WebOptions:
    hasher: PasswordHasher = field(factory=Argon2Hasher)
    throttle: LoginThrottle = field(factory=LoginThrottle)
    """One per process: failed sign-ins are counted per API process (see docs/web.md)."""
