"""The offline web build: exact lock file, deterministic wheels, incremental rebuilds."""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
import time
import zipfile
from pathlib import Path

import pytest

from syncoxide.errors import ConfigError
from syncoxide.server.webbuild import ProjectPaths, build
from syncoxide.server.webbuild.assemble import CHECK_SCRIPTS, LAZY_SCRIPTS
from syncoxide.server.webbuild.lock import describe_wheel
from syncoxide.server.webbuild.wheel import source_files, write_wheel
from syncoxide.server.webbuild.wheels import read_pins
from tests.conftest import WEB_BUILD_GROUP

# It rebuilds the real web bundle: one worker at a time (see tests/conftest.py).
pytestmark = pytest.mark.xdist_group(WEB_BUILD_GROUP)
ROOT = Path(__file__).resolve().parents[2]
WEB_SOURCE = ROOT / "web/py/syncoxide_web"
BROWSER_EXCLUDED = ("native", "cli", "server")

IMPORT_CHECK = Path(__file__).with_name("pyodide_imports_bytecode.mjs")


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
    assert "syncoxide/errors.pyc" in names and "syncoxide/py.typed" in names
    assert not [name for name in names if name.startswith("syncoxide/native/")]
    assert not [name for name in names if "__pycache__" in name]
    assert describe_wheel(wheel).imports == ("syncoxide",)


@pytest.fixture(scope="module")
def pyodide_imports(manifest: dict) -> dict:
    """What Pyodide did when it imported every module of our wheels from the built bundle."""
    node = shutil.which("node")
    assert node, "Node is needed to run Pyodide outside the browser"
    command = [node, str(IMPORT_CHECK), str(pyodide_dir(manifest))]
    result = subprocess.run(command, capture_output=True, text=True, check=True, timeout=300)
    return dict(json.loads(result.stdout.strip().splitlines()[-1]))


def test_pyodide_imports_every_module_from_the_shipped_bytecode(pyodide_imports: dict) -> None:
    assert pyodide_imports["imported"] > 100
    assert pyodide_imports["compiled_from_source"] == []
    assert pyodide_imports["with_docstrings"] == []  # left out of the shipped bytecode


def test_our_wheels_hold_pyodide_bytecode_for_every_module_and_no_source(
    manifest: dict, pyodide_imports: dict
) -> None:
    folder = pyodide_dir(manifest)
    magic = bytes.fromhex(pyodide_imports["magic"])
    for wheel, source in (("syncoxide-", ROOT / "syncoxide"), ("syncoxide_web-", WEB_SOURCE)):
        archive = zipfile.ZipFile(next(folder.glob(f"{wheel}*.whl")))
        names = set(archive.namelist())
        assert not [name for name in names if name.endswith(".py")]
        modules = [path for path in source_files(source, BROWSER_EXCLUDED) if path.suffix == ".py"]
        expected = {f"{source.name}/{m.relative_to(source).with_suffix('.pyc')}" for m in modules}
        assert expected <= names
        for name in expected:
            header = archive.read(name)[:8]
            # PEP 552: Pyodide's magic number, then flags 0b01 = hash-based, source unchecked.
            assert header[:4] == magic and int.from_bytes(header[4:8], "little") == 0b01, name


def test_bytecode_is_compiled_once_and_a_rebuild_needs_no_node(
    manifest: dict, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PATH", "/nonexistent")
    assert build(ProjectPaths(ROOT)) == manifest


def test_missing_node_fails_the_build_before_anything_is_shipped(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    project = tmp_path / "project"
    (project / "syncoxide").mkdir(parents=True)
    (project / "syncoxide" / "__init__.py").write_text("VALUE = 1\n")
    (project / "web/py/syncoxide_web").mkdir(parents=True)
    (project / "web/py/syncoxide_web/__init__.py").write_text("")
    (project / "node_modules").symlink_to(ROOT / "node_modules")
    monkeypatch.setenv("PATH", "/nonexistent")
    with pytest.raises(ConfigError, match=r"Node\.js is needed"):
        build(ProjectPaths(project))
    assert not (project / "web/static/vendor").exists()


def test_a_module_pyodide_cannot_compile_fails_the_build(tmp_path: Path) -> None:
    project = tmp_path / "project"
    (project / "syncoxide").mkdir(parents=True)
    (project / "syncoxide" / "__init__.py").write_text("def broken(:\n")
    (project / "web/py/syncoxide_web").mkdir(parents=True)
    (project / "web/py/syncoxide_web/__init__.py").write_text("")
    (project / "node_modules").symlink_to(ROOT / "node_modules")
    with pytest.raises(ConfigError, match="could not compile") as raised:
        build(ProjectPaths(project))
    assert "__init__.py" in str(raised.value)
    assert not (project / "web/static/vendor").exists()


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


def test_the_build_holds_pyodide_and_the_scripts_pages_load_and_nothing_else(
    manifest: dict,
) -> None:
    """Pages start Python with static/app-boot.mjs, the tests' own pages too: no PyScript."""
    parts = {label for label, part in manifest.items() if isinstance(part, dict) and "path" in part}
    assert parts == {"pyodide", *(package for package, _ in LAZY_SCRIPTS.values()), *CHECK_SCRIPTS}
    on_disk = {entry.name for entry in (ROOT / "web/static/vendor").iterdir() if entry.is_dir()}
    assert {manifest[label]["path"] for label in parts} <= on_disk


def test_every_part_is_precompressed_where_it_pays(manifest: dict) -> None:
    folder = pyodide_dir(manifest)
    assert (folder / "pyodide.asm.wasm.gz").is_file()
    # What a page of ours can fetch; the scripts a check injects (axe-core) are never asked for.
    checks = tuple(manifest[name]["path"] + "/" for name in CHECK_SCRIPTS)
    fetchable = {part: size for part, size in manifest["wire_bytes"].items()
                 if not part.startswith(checks)}  # fmt: skip
    assert sum(fetchable.values()) < 8_000_000


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
