"""Pre-compressed siblings (``name.gz``) for vendor files, made once per build.

Compressing Pyodide's 9.6 MB wasm on every request would cost the server seconds of CPU;
doing it at build time lets the server hand out the ``.gz`` file as it is.
"""

from __future__ import annotations

import gzip
from pathlib import Path

COMPRESSIBLE_SUFFIXES = {".js", ".mjs", ".wasm", ".json", ".css", ".html", ".zip", ".svg", ".py"}
# Keep a .gz only when it saves at least this share of the bytes; zips are mostly deflated already.
_MIN_SAVING = 0.05


def precompress_tree(root: Path) -> None:
    for path in sorted(root.rglob("*")):
        if path.is_file() and path.suffix in COMPRESSIBLE_SUFFIXES:
            precompress_file(path)


def precompress_file(path: Path) -> Path | None:
    raw = path.read_bytes()
    packed = gzip.compress(raw, compresslevel=9, mtime=0)
    if len(packed) > len(raw) * (1 - _MIN_SAVING):
        return None
    target = path.with_name(path.name + ".gz")
    target.write_bytes(packed)
    return target
