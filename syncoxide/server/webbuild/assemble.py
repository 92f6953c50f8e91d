"""Assemble everything the browser needs into ``web/static/vendor/``, offline-ready.

How it works: each part (Pyodide with our wheels, each script a page loads on first use)
goes into a folder named by the sha256 of its inputs, e.g. ``pyodide-314.0.7-3f9a0c1d2b4e``. A
folder that already exists is complete (it is renamed into place only once finished), so a
rebuild with nothing changed only re-hashes the inputs and returns. Because names change
whenever content changes, the server may tell browsers to cache everything under ``/vendor/``
forever. ``manifest.json`` says which folders are current and how many bytes each file costs
over the wire.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from syncoxide import __version__
from syncoxide.errors import ConfigError
from syncoxide.native.atomic_file import replace_file
from syncoxide.server.webbuild.bytecode import BrowserPackage, Pyodide, compiled_wheels
from syncoxide.server.webbuild.compress import precompress_tree
from syncoxide.server.webbuild.lock import ShippedWheel, describe_wheel, rewrite_lock
from syncoxide.server.webbuild.wheels import fetch_pinned_wheels

PYODIDE_CORE_FILES = ("pyodide.mjs", "pyodide.asm.mjs", "pyodide.asm.wasm", "python_stdlib.zip")
MANIFEST_NAME = "manifest.json"
# Scripts a page loads only when a feature needs them: name -> (npm package, file in its dist/).
# Argon2id for password vaults (WebCrypto has none); SHA-256 that can be fed piece by piece, for
# the peer-to-peer receiver's writer worker (WebCrypto hashes whole buffers only); OpenPGP for
# shares a GnuPG user opens.
LAZY_SCRIPTS = {
    "hash-wasm": ("hash-wasm", "argon2.umd.min.js"),
    "hash-wasm-sha256": ("hash-wasm", "sha256.umd.min.js"),
    "openpgp": ("openpgp", "openpgp.min.js"),
}
# Scripts no page of ours loads: tools a check injects into our pages from our own server.
# axe-core is the accessibility check the browser tests run on every view and public page.
CHECK_SCRIPTS = {"axe-core": ("axe-core", "axe.min.js")}
MANIFEST_FORMAT = 1


@dataclass(frozen=True)
class ProjectPaths:
    root: Path

    @property
    def node_modules(self) -> Path:
        return self.root / "node_modules"

    @property
    def vendor(self) -> Path:
        return self.root / "web" / "static" / "vendor"

    @property
    def wheel_cache(self) -> Path:
        return self.root / ".cache" / "wheels"

    @property
    def bytecode_cache(self) -> Path:
        return self.root / ".cache" / "bytecode"

    @property
    def browser_requirements(self) -> Path:
        return self.root / "web" / "requirements-browser.txt"


@dataclass(frozen=True)
class Part:
    """One content-addressed vendor folder: its files and where each comes from."""

    label: str
    version: str
    sources: dict[str, Path]
    generated: dict[str, bytes]

    def digest(self) -> str:
        hasher = hashlib.sha256()
        for name in sorted(self.sources):
            hasher.update(name.encode() + b"\0" + _file_sha256(self.sources[name]) + b"\0")
        for name in sorted(self.generated):
            hasher.update(name.encode() + b"\0" + hashlib.sha256(self.generated[name]).digest())
        return hasher.hexdigest()[:12]

    def folder_name(self) -> str:
        return f"{self.label}-{self.version}-{self.digest()}"


def project_root() -> Path:
    return Path(__file__).resolve().parents[3]


def build(paths: ProjectPaths) -> dict[str, Any]:
    """Build (or confirm up to date) the vendor folder and return its manifest."""
    pyodide_part = _pyodide_part(paths)
    packages = sorted({package for package, _ in LAZY_SCRIPTS.values()})
    lazy = tuple(_lazy_script_part(paths, package) for package in packages)
    checks = tuple(_check_script_part(paths, name) for name in sorted(CHECK_SCRIPTS))
    parts = (pyodide_part, *lazy, *checks)
    paths.vendor.mkdir(parents=True, exist_ok=True)
    folders = {part.label: _materialize(part, paths.vendor) for part in parts}
    # Pages already open may still load lazy chunks from the previous build: keep it one round.
    _remove_stale(paths.vendor, keep=set(folders.values()) | _current_folders(paths.vendor))
    manifest = _manifest(paths.vendor, parts, folders)
    # Whole or not at all: a server running beside the build reads it on every page.
    text = json.dumps(manifest, indent=1, sort_keys=True) + "\n"
    replace_file(paths.vendor / MANIFEST_NAME, text.encode(), mode=0o644, durable=False)
    return manifest


def _pyodide_part(paths: ProjectPaths) -> Part:
    pyodide_dir = _require_npm_package(paths, "pyodide")
    stock_lock = json.loads((pyodide_dir / "pyodide-lock.json").read_text())
    version = json.loads((pyodide_dir / "package.json").read_text())["version"]
    wheel_files = _our_wheels(paths, Pyodide(pyodide_dir, version))
    wheel_files += _browser_dependency_wheels(paths)
    shipped: list[ShippedWheel] = [describe_wheel(path) for path in wheel_files]
    lock = rewrite_lock(stock_lock, shipped)
    sources = {name: pyodide_dir / name for name in PYODIDE_CORE_FILES}
    sources.update({path.name: path for path in wheel_files})
    generated = {"pyodide-lock.json": (json.dumps(lock, indent=1, sort_keys=True) + "\n").encode()}
    return Part("pyodide", version, sources, generated)


def _our_wheels(paths: ProjectPaths, pyodide: Pyodide) -> list[Path]:
    packages = [
        BrowserPackage("syncoxide", paths.root / "syncoxide", ("native", "cli", "server")),
        BrowserPackage("syncoxide_web", paths.root / "web" / "py" / "syncoxide_web"),
    ]
    return compiled_wheels(
        packages, version=__version__, pyodide=pyodide, cache=paths.bytecode_cache
    )


def _browser_dependency_wheels(paths: ProjectPaths) -> list[Path]:
    if not paths.browser_requirements.exists():
        return []
    return fetch_pinned_wheels(paths.browser_requirements, paths.wheel_cache)


def _lazy_script_part(paths: ProjectPaths, package: str) -> Part:
    package_dir = _require_npm_package(paths, package)
    version = json.loads((package_dir / "package.json").read_text())["version"]
    scripts = sorted(script for owner, script in LAZY_SCRIPTS.values() if owner == package)
    return Part(package, version, {script: package_dir / "dist" / script for script in scripts}, {})


def _check_script_part(paths: ProjectPaths, name: str) -> Part:
    package, script = CHECK_SCRIPTS[name]
    package_dir = _require_npm_package(paths, package)
    version = json.loads((package_dir / "package.json").read_text())["version"]
    return Part(name, version, {script: package_dir / script}, {})


def _require_npm_package(paths: ProjectPaths, name: str) -> Path:
    package_dir = paths.node_modules / name
    if not (package_dir / "package.json").exists():
        raise ConfigError(
            f"The front-end package {name} is not installed in {paths.node_modules}.",
            hint="Run `npm ci` in the project folder (or `./dev start`, which does it for you).",
        )
    return package_dir


def _materialize(part: Part, vendor: Path) -> str:
    folder = part.folder_name()
    target = vendor / folder
    if target.is_dir():
        return folder
    staging = Path(tempfile.mkdtemp(prefix=f".{folder}.", dir=vendor))
    try:
        for name, source in part.sources.items():
            shutil.copyfile(source, staging / name)
        for name, content in part.generated.items():
            (staging / name).write_bytes(content)
        precompress_tree(staging)
        staging.chmod(0o755)
        staging.rename(target)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return folder


def _current_folders(vendor: Path) -> set[str]:
    try:
        manifest = json.loads((vendor / MANIFEST_NAME).read_text())
        return {
            part["path"] for part in manifest.values() if isinstance(part, dict) and "path" in part
        }
    except (OSError, ValueError, KeyError, TypeError):
        return set()


def _remove_stale(vendor: Path, keep: set[str]) -> None:
    for entry in vendor.iterdir():
        if entry.is_dir() and entry.name not in keep:
            shutil.rmtree(entry, ignore_errors=True)


def _manifest(vendor: Path, parts: tuple[Part, ...], folders: dict[str, str]) -> dict[str, Any]:
    manifest: dict[str, Any] = {
        part.label: {"path": folders[part.label], "version": part.version} for part in parts
    }
    manifest["format"] = MANIFEST_FORMAT
    manifest["packages"] = ["syncoxide", "syncoxide-web"]
    manifest["wire_bytes"] = _wire_bytes(vendor, folders.values())
    return manifest


def _wire_bytes(vendor: Path, folders: Any) -> dict[str, int]:
    """Bytes each file costs a browser that accepts gzip (the .gz sibling when there is one)."""
    sizes = {}
    for folder in folders:
        for path in sorted((vendor / folder).iterdir()):
            if path.suffix == ".gz":
                continue
            packed = path.with_name(path.name + ".gz")
            sizes[f"{folder}/{path.name}"] = (packed if packed.exists() else path).stat().st_size
    return sizes


def _file_sha256(path: Path) -> bytes:
    hasher = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(1 << 20):
            hasher.update(chunk)
    return hasher.digest()
