"""What a sender offers, in short, for the receive page to show before anything else loads.

The sender tells the signaling room (``PUT /signal/rooms/<room>/summary``) how many files and
bytes it offers and the first ``MAX_LISTED`` files (relative path and size, in the order given)
and ``MAX_FOLDERS`` folders; the server checks the same limits. The receiver verifies nothing
from it: the manifest sent over the data channel is what counts.

    {"count": 3, "bytes": 2100000,
     "files": [{"path": "Holiday/beach.jpg", "size": 2000000}, ...],
     "folders": ["Holiday", "Holiday/notes"]}
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

MAX_LISTED = 300
MAX_FOLDERS = 300
MAX_BYTES = 64 * 1024  # of the JSON body


def summarize(files: Iterable[tuple[str, int]], folders: Iterable[str] = ()) -> dict[str, Any]:
    """The summary of ``files`` ((relative path, size) pairs) and ``folders``.

    Folders are every parent of a listed file plus the folders given (empty ones included),
    shortest first, at most ``MAX_FOLDERS``. Fewer files are listed when long names would
    make the body larger than ``MAX_BYTES``.
    """
    every = list(files)
    given = set(folders)
    listed = min(len(every), MAX_LISTED)
    while True:
        summary = _summary(every, listed, given)
        if listed == 0 or len(json.dumps(summary).encode()) <= MAX_BYTES:
            return summary
        listed //= 2


def _summary(every: list[tuple[str, int]], listed: int, given: set[str]) -> dict[str, Any]:
    named = set(given)
    for path, _ in every[:listed]:
        parts = path.split("/")[:-1]
        named.update("/".join(parts[: i + 1]) for i in range(len(parts)))
    folders = sorted(named, key=lambda f: (f.count("/"), f))[:MAX_FOLDERS]
    while folders and len(json.dumps(folders).encode()) > MAX_BYTES // 2:
        folders = folders[: len(folders) // 2]
    return {
        "count": len(every),
        "bytes": sum(size for _, size in every),
        "files": [{"path": path, "size": size} for path, size in every[:listed]],
        "folders": folders,
    }
