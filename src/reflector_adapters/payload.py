"""Reading platform JSON at the edge: strict cattrs structuring, timestamps, one error type.

Every failure here becomes a ``PayloadError`` naming the source and the JSON path, so a
malformed platform payload can never leak a ``KeyError`` or ``TypeError`` into a use case.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any, TypeVar

import cattrs
from cattrs.gen import make_dict_structure_fn, override

from reflector_core.errors import PayloadError

T = TypeVar("T")

# Unix seconds beyond this are not a plausible platform timestamp (year 5138); datetime would overflow soon after.
_MAX_UNIX_SECONDS = 1e11


def _strict_str(value: object, _type: type) -> str:
    # cattrs' default would call str() on anything, turning ``123`` or ``None`` into text silently.
    if not isinstance(value, str):
        raise TypeError(f"expected a string, got {type(value).__name__}")
    return value


def _strict_int(value: object, _type: type) -> int:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise TypeError(f"expected an integer, got {type(value).__name__}")
    if isinstance(value, float):
        if not value.is_integer():
            raise ValueError(f"expected an integer, got {value!r}")
        return int(value)
    return value


def _strict_float(value: object, _type: type) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise TypeError(f"expected a number, got {type(value).__name__}")
    result = float(value)
    if not math.isfinite(result):
        raise ValueError(f"expected a finite number, got {value!r}")
    return result


def _strict_bool(value: object, _type: type) -> bool:
    if not isinstance(value, bool):
        raise TypeError(f"expected a boolean, got {type(value).__name__}")
    return value


def make_converter() -> cattrs.Converter:
    """A converter that refuses type coercion and ignores unknown keys (platforms add fields within v1)."""
    converter = cattrs.Converter(forbid_extra_keys=False, detailed_validation=True)
    converter.register_structure_hook(str, _strict_str)
    converter.register_structure_hook(int, _strict_int)
    converter.register_structure_hook(float, _strict_float)
    converter.register_structure_hook(bool, _strict_bool)
    return converter


# attribute name -> JSON key, per class, so error paths name the key the platform actually sent.
_JSON_KEYS: dict[type, dict[str, str]] = {}


def register_renames(converter: cattrs.Converter, cls: type, **renames: str) -> None:
    """Structure ``cls`` from JSON keys spelled differently (camelCase) from its attribute names."""
    _JSON_KEYS[cls] = dict(renames)
    overrides: dict[str, Any] = {name: override(rename=key) for name, key in renames.items()}
    converter.register_structure_hook(cls, make_dict_structure_fn(cls, converter, **overrides))


def structure(converter: cattrs.Converter, data: object, cls: type[T], source: str) -> T:
    """``data`` as ``cls``; any mismatch is a ``PayloadError`` listing each bad field by JSON path."""
    if not isinstance(data, Mapping):
        raise PayloadError(source, f"expected a JSON object, got {type(data).__name__}")
    try:
        return converter.structure(data, cls)
    except cattrs.BaseValidationError as exc:
        raise PayloadError(source, "; ".join(_describe(exc, "$"))) from exc
    except (TypeError, ValueError, KeyError, AttributeError) as exc:
        raise PayloadError(source, str(exc) or type(exc).__name__) from exc


def _describe(exc: BaseException, path: str) -> list[str]:
    """Like ``cattrs.transform_error``, but paths use the JSON keys rather than attribute names."""
    if isinstance(exc, cattrs.IterableValidationError):
        with_notes, without = exc.group_exceptions()
        errors = [m for sub, note in with_notes for m in _describe(sub, f"{path}[{note.index!r}]")]
        return errors + [f"{_what(sub)} @ {path}" for sub in without]
    if isinstance(exc, cattrs.ClassValidationError):
        keys = _JSON_KEYS.get(exc.cl, {})
        class_notes, others = exc.group_exceptions()
        errors = [m for sub, note in class_notes for m in _describe(sub, f"{path}.{keys.get(note.name, note.name)}")]
        return errors + [f"{_what(sub)} @ {path}" for sub in others]
    if isinstance(exc, cattrs.BaseValidationError):
        return [m for sub in exc.exceptions for m in _describe(sub, path)]
    return [f"{_what(exc)} @ {path}"]


def _what(exc: BaseException) -> str:
    if isinstance(exc, KeyError):
        return "required field missing"
    return str(exc) or type(exc).__name__


def loads_object(body: bytes, source: str) -> dict[str, Any]:
    """Parse a request or response body that must be one JSON object."""
    try:
        data = json.loads(body)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise PayloadError(source, f"not JSON: {exc}") from exc
    except ValueError as exc:  # an integer longer than ``sys.get_int_max_str_digits()`` (4,300 digits)
        raise PayloadError(source, f"unreadable JSON: {exc}") from exc
    except RecursionError as exc:
        raise PayloadError(source, "JSON nested too deeply") from exc
    if not isinstance(data, dict):
        raise PayloadError(source, f"expected a JSON object, got {type(data).__name__}")
    return data


def from_unix(value: float | None, source: str, field: str) -> datetime | None:
    """A UTC instant from unix seconds (Daily sends ints and floats with millisecond fractions)."""
    if value is None:
        return None
    if not 0 <= value < _MAX_UNIX_SECONDS:
        raise PayloadError(source, f"{field}: {value!r} is not a unix time in seconds")
    return datetime.fromtimestamp(value, UTC)


def from_iso(value: str | None, source: str, field: str) -> datetime | None:
    """A UTC instant from an ISO 8601 string; ``Z`` accepted, a missing offset read as UTC."""
    if value is None:
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00") if value.endswith("Z") else value)
    except ValueError as exc:
        raise PayloadError(source, f"{field}: {value!r} is not an ISO 8601 time") from exc
    # Whereby documents naive times as UTC; Daily always sends ``Z``.
    return parsed.replace(tzinfo=UTC) if parsed.utcoffset() is None else parsed.astimezone(UTC)


def first_present(data: Mapping[str, Any], *keys: str) -> Any:
    """The value of the first key present with a non-null value (for fields with several spellings)."""
    for key in keys:
        value = data.get(key)
        if value is not None:
            return value
    return None


def guarded(source: str, fn: Callable[[], T]) -> T:
    """Run a domain constructor over parsed values; its validation errors become ``PayloadError``."""
    try:
        return fn()
    except PayloadError:
        raise
    except (TypeError, ValueError) as exc:
        raise PayloadError(source, str(exc)) from exc
