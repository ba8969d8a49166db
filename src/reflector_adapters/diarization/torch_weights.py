"""Read a legacy (pre-zip) PyTorch checkpoint into NumPy arrays, without torch.

Resemblyzer's ``pretrained.pt`` is a ``torch.save`` file of the old format: five pickles in a row
(magic number, protocol version, system info, the object with storages as persistent ids, the list
of storage keys) followed by each storage's raw bytes, an int64 element count before each. The
object pickle is read with an unpickler that knows only the few globals a tensor dictionary needs
(an ordered dict, the tensor rebuild function, float storages) and refuses anything else, so a
crafted file cannot run code.
"""

from __future__ import annotations

import pickle
import struct
from collections import OrderedDict
from pathlib import Path
from typing import IO, Any

import numpy as np

from reflector_core.errors import ConfigurationError

MAGIC = 0x1950A86A20F9469CFC6C
PROTOCOL = 1001
_DTYPES: dict[str, np.dtype[Any]] = {
    "FloatStorage": np.dtype("<f4"),
    "DoubleStorage": np.dtype("<f8"),
    "LongStorage": np.dtype("<i8"),
}


class _Storage:
    def __init__(self, dtype: np.dtype[Any], size: int) -> None:
        self.dtype, self.size = dtype, size
        self.data: np.ndarray | None = None


class _StorageType:
    def __init__(self, name: str) -> None:
        self.name = name


class _LazyTensor:
    """A tensor whose storage bytes come after the pickle: materialised once they are read."""

    def __init__(self, storage: _Storage, offset: int, size: tuple[int, ...], stride: tuple[int, ...]) -> None:
        self.storage, self.offset, self.size, self.stride = storage, offset, size, stride

    def array(self) -> np.ndarray:
        data = self.storage.data
        if data is None:
            raise ValueError("storage was never read")
        itemsize = data.dtype.itemsize
        if (
            self.size
            and self.offset + sum((n - 1) * s for n, s in zip(self.size, self.stride, strict=True)) >= data.size
        ):
            raise ValueError("tensor reaches past its storage")
        view = np.lib.stride_tricks.as_strided(
            data[self.offset :], shape=self.size, strides=tuple(s * itemsize for s in self.stride)
        )
        return np.array(view, dtype=np.float32)


def _rebuild_tensor_v2(
    storage: _Storage, offset: int, size: tuple[int, ...], stride: tuple[int, ...], *_rest: Any
) -> _LazyTensor:
    return _LazyTensor(storage, offset, tuple(size), tuple(stride))


class _Unpickler(pickle.Unpickler):
    def __init__(self, f: IO[bytes], storages: dict[str, _Storage]) -> None:
        super().__init__(f)
        self.storages = storages

    def find_class(self, module: str, name: str) -> Any:
        if (module, name) == ("collections", "OrderedDict"):
            return OrderedDict
        if (module, name) == ("torch._utils", "_rebuild_tensor_v2"):
            return _rebuild_tensor_v2
        if module == "torch" and name in _DTYPES:
            return _StorageType(name)
        raise pickle.UnpicklingError(f"refusing to load {module}.{name} from a weights file")

    def persistent_load(self, pid: Any) -> Any:
        if not (isinstance(pid, tuple) and len(pid) >= 5 and pid[0] == "storage"):
            raise pickle.UnpicklingError(f"unexpected persistent id {pid!r}")
        _kind, storage_type, key, _location, size = pid[:5]
        if not isinstance(storage_type, _StorageType):
            raise pickle.UnpicklingError("storage of an unknown type")
        if key not in self.storages:
            dtype: np.dtype[Any] = _DTYPES[storage_type.name]
            self.storages[key] = _Storage(dtype, int(size))
        return self.storages[key]


def load_legacy_checkpoint(path: Path) -> dict[str, Any]:
    """The checkpoint's top-level dictionary, every tensor as a float32 array.

    Raises ``ConfigurationError`` naming the file when it is not such a checkpoint.
    """
    try:
        with path.open("rb") as f:
            return _read(f)
    except (OSError, EOFError, ValueError, pickle.UnpicklingError, struct.error) as exc:
        raise ConfigurationError(f"{path}: not a readable PyTorch checkpoint ({exc})") from exc


def _read(f: IO[bytes]) -> dict[str, Any]:
    if _restricted(f).load() != MAGIC:
        raise ValueError("bad magic number (a zip-format checkpoint is not supported)")
    if _restricted(f).load() != PROTOCOL:
        raise ValueError("unsupported protocol version")
    info = _restricted(f).load()
    if not isinstance(info, dict) or not info.get("little_endian", False):
        raise ValueError("big-endian checkpoints are not supported")
    storages: dict[str, _Storage] = {}
    result = _Unpickler(f, storages).load()
    keys = _restricted(f).load()
    for key in keys:
        storage = storages[key]
        (count,) = struct.unpack("<q", f.read(8))
        if count != storage.size:
            raise ValueError(f"storage {key}: {count} elements on disk, {storage.size} declared")
        raw = f.read(count * storage.dtype.itemsize)
        if len(raw) != count * storage.dtype.itemsize:
            raise ValueError(f"storage {key} is truncated")
        storage.data = np.frombuffer(raw, dtype=storage.dtype)
    out = _materialise(result)
    if not isinstance(out, dict):
        raise ValueError("the checkpoint is not a dictionary")
    return out


def _restricted(f: IO[bytes]) -> pickle.Unpickler:
    """An unpickler for the header pickles: no globals at all."""

    class _NoGlobals(pickle.Unpickler):
        def find_class(self, module: str, name: str) -> Any:
            raise pickle.UnpicklingError(f"refusing to load {module}.{name} from a weights file header")

    return _NoGlobals(f)


def _materialise(obj: Any) -> Any:
    if isinstance(obj, _LazyTensor):
        return obj.array()
    if isinstance(obj, dict):
        return {k: _materialise(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return type(obj)(_materialise(v) for v in obj)
    return obj
