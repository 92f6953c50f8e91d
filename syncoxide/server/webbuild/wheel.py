"""Deterministic pure-Python wheels made from a source folder.

The browser loads our own packages as wheels listed in pyodide-lock.json. We write them here
instead of calling a PEP 517 backend because the build must be fast and byte-identical for the
same sources (the vendor folder is named by content hash, so an unchanged core must give an
unchanged wheel and an unchanged URL, which keeps browsers' caches warm).
"""

from __future__ import annotations

import base64
import hashlib
import zipfile
from collections.abc import Iterable
from pathlib import Path

# 1980-01-01, the earliest time a zip entry can hold: no build time leaks into the bytes.
_FIXED_ZIP_TIME = (1980, 1, 1, 0, 0, 0)
_SKIPPED_PARTS = {"__pycache__"}


def wheel_name(distribution: str, version: str) -> str:
    return f"{distribution}-{version}-py3-none-any.whl"


def source_files(
    package_dir: Path, excluded: Iterable[str] = (), *, bytecode: bool = False
) -> list[Path]:
    """Files of a package, sorted, without caches and without the excluded subpackages.

    .pyc files are left out unless ``bytecode`` is set (a tree compiled for the browser).
    """
    excluded_dirs = [package_dir / name for name in excluded]
    files = []
    for path in sorted(package_dir.rglob("*")):
        if not path.is_file() or _SKIPPED_PARTS & set(path.parts):
            continue
        if path.suffix == ".pyc" and not bytecode:
            continue
        if any(path.is_relative_to(skip) for skip in excluded_dirs):
            continue
        files.append(path)
    return files


def write_wheel(
    out_dir: Path,
    distribution: str,
    version: str,
    package_dir: Path,
    *,
    excluded: Iterable[str] = (),
    bytecode: bool = False,
) -> Path:
    """Write ``<distribution>-<version>-py3-none-any.whl`` holding ``package_dir``."""
    entries = [
        (f"{package_dir.name}/{path.relative_to(package_dir).as_posix()}", path.read_bytes())
        for path in source_files(package_dir, excluded, bytecode=bytecode)
    ]
    dist_info = f"{distribution}-{version}.dist-info"
    entries.append((f"{dist_info}/METADATA", _metadata(distribution, version)))
    entries.append((f"{dist_info}/WHEEL", _wheel_file()))
    entries.append((f"{dist_info}/RECORD", _record(entries, f"{dist_info}/RECORD")))
    target = out_dir / wheel_name(distribution, version)
    # Level 9: about 2% smaller than the default on our bytecode (10 KB), paid once per build.
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, content in entries:
            info = zipfile.ZipInfo(name, date_time=_FIXED_ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, content, compresslevel=9)
    return target


def _metadata(distribution: str, version: str) -> bytes:
    return f"Metadata-Version: 2.1\nName: {distribution}\nVersion: {version}\n".encode()


def _wheel_file() -> bytes:
    return (
        b"Wheel-Version: 1.0\nGenerator: syncoxide-webbuild\n"
        b"Root-Is-Purelib: true\nTag: py3-none-any\n"
    )


def _record(entries: list[tuple[str, bytes]], record_name: str) -> bytes:
    lines = []
    for name, content in entries:
        digest = base64.urlsafe_b64encode(hashlib.sha256(content).digest()).rstrip(b"=").decode()
        lines.append(f"{name},sha256={digest},{len(content)}")
    lines.append(f"{record_name},,")
    return ("\n".join(lines) + "\n").encode()
