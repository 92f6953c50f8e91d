"""Our browser wheels, shipped as bytecode compiled by Pyodide's own Python.

Why: in Pyodide, importing our packages spends a large share of its time compiling their
source (see bench/web_import_bytecode.mjs for the figures). A .pyc only helps if its magic
number and marshal format are exactly those of the interpreter that reads it, so the host's
CPython cannot make it: ``compile_bytecode.mjs`` runs Pyodide (from node_modules, the same
build the browser gets) under Node and compiles every module there.

How it works: the plain wheel is written first (fast, deterministic); the sha256 of its bytes,
of the compiler script and Pyodide's version name a cache folder under ``.cache/bytecode/``.
A package whose folder exists is not compiled again, so a rebuild with nothing changed starts
no Node at all. Missing packages are staged into one tree, compiled in one Node run, and
written as wheels, which are renamed into the cache once complete.

The wheels hold ``NAME.pyc`` where the sources held ``NAME.py`` (the import system's
"sourceless" form, which Pyodide loads like CPython does) and no .py files: shipping both
would add about 0.8 MB to a cold load against 0.4 MB for the bytecode alone, and the only
loss is the source line in a traceback (file and line number stay). The .pyc files use the
"unchecked hash" mode, so their bytes depend on the sources alone, not on file times.
"""

from __future__ import annotations

import hashlib
import shutil
import subprocess
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from syncoxide.errors import ConfigError
from syncoxide.server.webbuild.wheel import source_files, wheel_name, write_wheel

COMPILER = Path(__file__).with_name("compile_bytecode.mjs")
# Starting Pyodide under Node takes 3-10 s on a loaded machine; compiling our ~200 modules less.
_COMPILE_TIMEOUT_SECONDS = 600


@dataclass(frozen=True)
class BrowserPackage:
    """One of our packages as the browser gets it: a source folder written as a wheel."""

    distribution: str
    source: Path
    excluded: tuple[str, ...] = ()


@dataclass(frozen=True)
class Pyodide:
    """The Pyodide build that compiles the bytecode (the one the browser will run)."""

    folder: Path
    version: str


def compiled_wheels(
    packages: Sequence[BrowserPackage],
    *,
    version: str,
    pyodide: Pyodide,
    cache: Path,
) -> list[Path]:
    """Return a wheel per package holding Pyodide-compiled bytecode in place of its sources."""
    with tempfile.TemporaryDirectory(prefix="syncoxide-bytecode-") as scratch_name:
        scratch = Path(scratch_name)
        keys = {package: _cache_key(package, version, pyodide, scratch) for package in packages}
        missing = [
            package
            for package in packages
            if not _cached(cache, keys[package], package, version).exists()
        ]
        if missing:
            _compile_into_cache(missing, keys, version=version, pyodide=pyodide, cache=cache)
    _prune(cache, keep=set(keys.values()))
    return [_cached(cache, keys[package], package, version) for package in packages]


def _cached(cache: Path, key: str, package: BrowserPackage, version: str) -> Path:
    return cache / key / wheel_name(package.distribution, version)


def _cache_key(package: BrowserPackage, version: str, pyodide: Pyodide, scratch: Path) -> str:
    plain_dir = scratch / "plain" / package.distribution
    plain_dir.mkdir(parents=True)
    plain = write_wheel(
        plain_dir, package.distribution, version, package.source, excluded=package.excluded
    )
    hasher = hashlib.sha256()
    for part in (plain.read_bytes(), COMPILER.read_bytes(), pyodide.version.encode()):
        hasher.update(hashlib.sha256(part).digest())
    return f"{package.distribution}-{hasher.hexdigest()[:16]}"


def _compile_into_cache(
    packages: Sequence[BrowserPackage],
    keys: dict[BrowserPackage, str],
    *,
    version: str,
    pyodide: Pyodide,
    cache: Path,
) -> None:
    cache.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=".compiling-", dir=cache) as staging_name:
        staging = Path(staging_name)
        tree = staging / "tree"
        for package in packages:
            _stage_sources(package, tree / package.source.name)
        _run_compiler(pyodide.folder, tree)
        for package in packages:
            package_tree = tree / package.source.name
            _replace_sources_by_bytecode(package_tree)
            out = staging / keys[package]
            out.mkdir()
            write_wheel(out, package.distribution, version, package_tree, bytecode=True)
            target = cache / keys[package]
            if not target.exists():
                out.rename(target)


def _stage_sources(package: BrowserPackage, target: Path) -> None:
    for path in source_files(package.source, package.excluded):
        copy = target / path.relative_to(package.source)
        copy.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, copy)


def _run_compiler(pyodide_folder: Path, tree: Path) -> None:
    node = shutil.which("node")
    if node is None:
        raise ConfigError(
            "Node.js is needed to compile the browser's Python bytecode with Pyodide, "
            "and `node` is not on the PATH; no bundle was written.",
            hint="Install Node.js 20 or later (`./dev setup` does it), then build again.",
        )
    command = [node, str(COMPILER), str(pyodide_folder), str(tree)]
    try:
        result = subprocess.run(
            command, capture_output=True, text=True, check=False, timeout=_COMPILE_TIMEOUT_SECONDS
        )
    except subprocess.TimeoutExpired as error:
        raise ConfigError(
            f"Compiling the browser's bytecode in Pyodide took over {error.timeout:.0f} s; "
            "no bundle was written.",
            hint="The machine may be overloaded: build again when it is quieter.",
        ) from error
    if result.returncode != 0:
        detail = (result.stderr.strip() or result.stdout.strip())[-600:]
        raise ConfigError(
            f"Pyodide could not compile the browser's bytecode (exit {result.returncode}); "
            f"no bundle was written: {detail}",
            hint="Check that `npm ci` installed pyodide and that every module compiles.",
        )


def _replace_sources_by_bytecode(package_tree: Path) -> None:
    modules = sorted(package_tree.rglob("*.py"))
    missing = [m.relative_to(package_tree) for m in modules if not m.with_suffix(".pyc").is_file()]
    if missing:
        raise ConfigError(
            f"Pyodide left {len(missing)} module(s) without bytecode, e.g. {missing[0]}; "
            "no bundle was written.",
            hint="Run the web build again; if it repeats, the compiler output says why.",
        )
    for module in modules:
        module.unlink()


def _prune(cache: Path, keep: set[str]) -> None:
    """Drop compiled wheels of sources that no longer exist, so the cache does not grow."""
    if not cache.is_dir():
        return
    for entry in cache.iterdir():
        if entry.is_dir() and entry.name not in keep and not entry.name.startswith("."):
            shutil.rmtree(entry, ignore_errors=True)
