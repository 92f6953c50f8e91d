"""What a sender offers, told to the room so the receive page can show it before Python starts.

(The format and its limits: ``syncoxide.protocol.offer_summary``, which senders use to make it.)

The sender (any holder of the room's token) puts a short description of the transfer: how many
files, how many bytes, and the first ``MAX_LISTED`` files' relative paths and sizes plus
``MAX_FOLDERS`` folders (a folder's structure follows from its files' paths; empty folders are
listed). The receive page reads it with the room's state (``GET /signal/rooms/<room>``) in plain
JavaScript. It is informational: what the receiver verifies is the manifest the sender's session
sends over the data channel. Summaries live in this process's memory only, as long as the room's
code (``ttl``), at most ``MAX_ROOMS`` of them (the oldest is forgotten first).

Body (JSON, at most ``MAX_BODY_BYTES``)::

    {"count": int >= 0, "bytes": int >= 0,
     "files": [{"path": "a/b.txt", "size": int >= 0}, ...],   at most MAX_LISTED
     "folders": ["a", "a/empty", ...]}                          at most MAX_FOLDERS
"""

from __future__ import annotations

import json
from typing import Any

from syncoxide.errors import InvalidInputError
from syncoxide.ports import Clock
from syncoxide.protocol.offer_summary import MAX_BYTES as MAX_BODY_BYTES
from syncoxide.protocol.offer_summary import MAX_FOLDERS, MAX_LISTED
from syncoxide.server.inputs import unwritable_text

MAX_PATH_CHARS = 1024
MAX_ROOMS = 10_000
_BIGGEST = 2**63 - 1

Summary = dict[str, Any]


def parse_summary(body: bytes) -> Summary:
    """The summary in ``body``, checked field by field, or ``InvalidInputError`` saying why."""
    if len(body) > MAX_BODY_BYTES:
        raise InvalidInputError(f"A transfer summary is at most {MAX_BODY_BYTES} bytes.")
    try:
        data = json.loads(body)
    except ValueError:
        raise InvalidInputError("A transfer summary is one JSON object.") from None
    _require(
        isinstance(data, dict) and set(data) == {"count", "bytes", "files", "folders"},
        "it needs exactly count, bytes, files and folders",
    )
    _require(unwritable_text(data) is None, "it holds an unpaired UTF-16 surrogate")
    _require(_count(data["count"]) and _count(data["bytes"]), "count and bytes are whole numbers")
    files, folders = data["files"], data["folders"]
    _require(isinstance(files, list) and len(files) <= MAX_LISTED, f"at most {MAX_LISTED} files")
    _require(isinstance(folders, list) and len(folders) <= MAX_FOLDERS, "too many folders")
    _require(len(files) <= data["count"], "more files listed than counted")
    for entry in files:
        _require(isinstance(entry, dict) and set(entry) == {"path", "size"}, "a file is path+size")
        _require(_path(entry["path"]) and _count(entry["size"]), "a file's path or size is bad")
    _require(all(_path(folder) for folder in folders), "a folder path is bad")
    return {
        "count": data["count"],
        "bytes": data["bytes"],
        "files": [{"path": f["path"], "size": f["size"]} for f in files],
        "folders": list(folders),
    }


def _require(condition: bool, what: str) -> None:
    if not condition:
        raise InvalidInputError(f"Transfer summary refused: {what}.")


def _count(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= _BIGGEST


def _path(value: object) -> bool:
    if not isinstance(value, str) or not 0 < len(value) <= MAX_PATH_CHARS:
        return False
    parts = value.split("/")
    return value[0] != "/" and all(part not in ("", ".", "..") for part in parts)


class RoomSummaries:
    """room -> its latest summary, in memory, expiring after ``ttl`` seconds."""

    def __init__(self, clock: Clock, ttl: float, *, most: int = MAX_ROOMS) -> None:
        self._clock = clock
        self._ttl = ttl
        self._most = most
        self._kept: dict[str, tuple[float, Summary]] = {}

    def put(self, room: str, summary: Summary) -> None:
        self._kept.pop(room, None)
        self._kept[room] = (self._clock.monotonic() + self._ttl, summary)
        while len(self._kept) > self._most:
            del self._kept[next(iter(self._kept))]  # dict order: the oldest put first

    def get(self, room: str) -> Summary | None:
        kept = self._kept.get(room)
        if kept is None:
            return None
        expires, summary = kept
        if self._clock.monotonic() >= expires:
            del self._kept[room]
            return None
        return summary
