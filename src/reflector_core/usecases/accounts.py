"""Accounts: creating a user and signing one in. A signed-in user acts as the owner of their name."""

from __future__ import annotations

from collections.abc import Callable

from reflector_core.errors import AuthenticationError
from reflector_core.ports import Clock, PasswordHasher, UnitOfWork
from reflector_core.throttle import LoginThrottle
from reflector_core.usecases.api_keys import check_owner
from reflector_core.users import MAX_PASSWORD, User, check_password


async def create_user(
    username: str, password: str, *, unit_of_work: Callable[[], UnitOfWork], hasher: PasswordHasher, clock: Clock
) -> User:
    """A new user; ``InvalidInputError`` for a bad name or password, ``ConflictError`` when the name is taken."""
    name = check_owner(username)
    user = User(username=name, password_hash=hasher.hash(check_password(password)), created_at=clock.now())
    async with unit_of_work() as uow:
        stored = await uow.users.add(user)
        await uow.commit()
    return stored


async def sign_in(
    username: str,
    password: str,
    *,
    client: str,
    unit_of_work: Callable[[], UnitOfWork],
    hasher: PasswordHasher,
    throttle: LoginThrottle,
    clock: Clock,
) -> User:
    """The user whose password this is.

    ``ThrottledError`` while the username or the client address has failed too often lately (checked
    before any hashing, so a flood costs no CPU); ``AuthenticationError`` for a wrong name or password,
    with one message for both so a caller cannot learn which names exist.
    """
    name = username.strip()
    now = clock.now()
    throttle.check(name, client, now)
    async with unit_of_work() as uow:
        user = await uow.users.get(name) if name else None
    # An unknown name still costs one verification, so response time does not reveal which names exist.
    stored_hash = user.password_hash if user is not None else _dummy_hash(hasher)
    ok = len(password) <= MAX_PASSWORD and hasher.verify(stored_hash, password)
    if user is None or not ok:
        throttle.failed(name, client, now)
        raise AuthenticationError("wrong username or password")
    throttle.succeeded(name)
    return user


_DUMMY: dict[int, str] = {}


def _dummy_hash(hasher: PasswordHasher) -> str:
    key = id(hasher)
    if key not in _DUMMY:
        _DUMMY[key] = hasher.hash("not-a-password-of-anyone")
    return _DUMMY[key]
