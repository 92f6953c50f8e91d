"""Rewrite Pyodide's lock file so it lists exactly the wheels we ship.

The stock pyodide-lock.json names hundreds of packages that live on a CDN we never contact.
Ours keeps Pyodide's ``info`` block (ABI, platform, Python version) and lists only wheels that
sit next to it in the vendor folder, each with the sha256 of the file we ship, so
``loadPyodide({packages})`` resolves every package from our own server.
"""

from __future__ import annotations

import hashlib
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class ShippedWheel:
    name: str
    version: str
    file_name: str
    sha256: str
    imports: tuple[str, ...]
    depends: tuple[str, ...]


def normalize_name(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def describe_wheel(path: Path, depends: tuple[str, ...] = ()) -> ShippedWheel:
    """Read name, version and top-level imports from a pure wheel file."""
    distribution, version = path.name.split("-")[:2]
    with zipfile.ZipFile(path) as archive:
        names = archive.namelist()
    top_level = sorted(
        {
            entry.split("/")[0].removesuffix(".py")
            for entry in names
            if not entry.split("/")[0].endswith((".dist-info", ".data"))
        }
    )
    return ShippedWheel(
        name=normalize_name(distribution),
        version=version,
        file_name=path.name,
        sha256=hashlib.sha256(path.read_bytes()).hexdigest(),
        imports=tuple(top_level),
        depends=depends,
    )


def rewrite_lock(stock_lock: dict[str, Any], wheels: list[ShippedWheel]) -> dict[str, Any]:
    packages = {wheel.name: _lock_entry(wheel) for wheel in sorted(wheels, key=lambda w: w.name)}
    return {"info": stock_lock["info"], "packages": packages}


def _lock_entry(wheel: ShippedWheel) -> dict[str, Any]:
    return {
        "name": wheel.name,
        "version": wheel.version,
        "file_name": wheel.file_name,
        "install_dir": "site",
        "sha256": wheel.sha256,
        "package_type": "package",
        "imports": list(wheel.imports),
        "depends": list(wheel.depends),
        "unvendored_tests": False,
    }
