"""The offline web build: exact lock file, deterministic wheels, incremental rebuilds."""

from __future__ import annotations

import hashlib
import json
import time
import zipfile
from pathlib import Path

import pytest

from syncoxide.errors import ConfigError
from syncoxide.server.webbuild import ProjectPaths, build
from syncoxide.server.webbuild.lock import describe_wheel
from syncoxide.server.webbuild.wheel import write_wheel
from syncoxide.server.webbuild.wheels import read_pins
from tests.conftest import WEB_BUILD_GROUP

# It rebuilds the real web bundle: one worker at a time (see tests/conftest.py).
pytestmark = pytest.mark.xdist_group(WEB_BUILD_GROUP)
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def manifest() -> dict:
    return build(ProjectPaths(ROOT))


def pyodide_dir(manifest: dict) -> Path:
    return ROOT / "web/static/vendor" / manifest["pyodide"]["path"]


def test_lock_lists_exactly_the_wheels_we_ship(manifest: dict) -> None:
    folder = pyodide_dir(manifest)
    lock = json.loads((folder / "pyodide-lock.json").read_text())
    shipped = sorted(path.name for path in folder.glob("*.whl"))
    assert sorted(entry["file_name"] for entry in lock["packages"].values()) == shipped
    for entry in lock["packages"].values():
        assert (
            entry["sha256"]
            == hashlib.sha256((folder / entry["file_name"]).read_bytes()).hexdigest()
        )
    assert lock["info"]["python"].startswith("3.14")
    assert {"syncoxide", "syncoxide-web"} <= set(lock["packages"])


def test_core_wheel_holds_the_core_but_not_the_native_adapters(manifest: dict) -> None:
    wheel = next(pyodide_dir(manifest).glob("syncoxide-*.whl"))
    names = zipfile.ZipFile(wheel).namelist()
    assert "syncoxide/errors.py" in names and "syncoxide/py.typed" in names
    assert not [name for name in names if name.startswith("syncoxide/native/")]
    assert not [name for name in names if "__pycache__" in name]
    assert describe_wheel(wheel).imports == ("syncoxide",)


def wheel_bytes(out: Path, package: Path) -> bytes:
    out.mkdir()
    return write_wheel(out, "demo", "1.0", package).read_bytes()


def test_wheels_are_byte_identical_for_the_same_sources(tmp_path: Path) -> None:
    package = tmp_path / "src" / "demo"
    package.mkdir(parents=True)
    (package / "__init__.py").write_text("VALUE = 1\n")
    first = wheel_bytes(tmp_path / "a", package)
    time.sleep(0.01)
    (package / "__init__.py").touch()
    assert wheel_bytes(tmp_path / "b", package) == first
    (package / "__init__.py").write_text("VALUE = 2\n")
    assert wheel_bytes(tmp_path / "c", package) != first


def test_rebuild_with_nothing_changed_is_fast_and_changes_nothing(manifest: dict) -> None:
    folder = pyodide_dir(manifest)
    wasm_mtime = (folder / "pyodide.asm.wasm").stat().st_mtime_ns
    started = time.perf_counter()
    again = build(ProjectPaths(ROOT))
    elapsed = time.perf_counter() - started
    assert again == manifest
    assert (folder / "pyodide.asm.wasm").stat().st_mtime_ns == wasm_mtime
    assert elapsed < 5, f"an unchanged rebuild took {elapsed:.1f} s"


def test_every_part_is_precompressed_where_it_pays(manifest: dict) -> None:
    folder = pyodide_dir(manifest)
    assert (folder / "pyodide.asm.wasm.gz").is_file()
    assert sum(manifest["wire_bytes"].values()) < 8_000_000


def test_pins_must_be_exact(tmp_path: Path) -> None:
    requirements = tmp_path / "requirements.txt"
    requirements.write_text("# comment\nattrs==25.1.0\n")
    assert read_pins(requirements) == [("attrs", "25.1.0")]
    requirements.write_text("attrs>=25\n")
    with pytest.raises(ConfigError, match="not an exact pin"):
        read_pins(requirements)


def test_missing_npm_packages_say_what_to_run(tmp_path: Path) -> None:
    (tmp_path / "web" / "py" / "syncoxide_web").mkdir(parents=True)
    (tmp_path / "syncoxide").mkdir()
    with pytest.raises(ConfigError, match="npm ci"):
        build(ProjectPaths(tmp_path))


def test_serve_builds_a_missing_bundle_or_says_what_to_run(tmp_path: Path) -> None:
    from syncoxide.server.commands.serve import ensure_web_build

    project = tmp_path / "project"
    for name in ("syncoxide", "web/py/syncoxide_web"):
        (project / name).mkdir(parents=True)
        (project / name / "__init__.py").write_text("")
    with pytest.raises(ConfigError, match="npm ci"):
        ensure_web_build(ProjectPaths(project))
    (project / "node_modules").symlink_to(ROOT / "node_modules")
    ensure_web_build(ProjectPaths(project))
    manifest = json.loads((project / "web/static/vendor/manifest.json").read_text())
    assert (
        project / "web/static/vendor" / manifest["pyodide"]["path"] / "pyodide.asm.wasm"
    ).is_file()
