"""What ``borg list --json``, ``borg list --json-lines`` and ``borg create --json`` answer.

Archives (``borg list --json REPO``)::

    {"archives": [{"name": "docs-2026-12-06T10:00:00", "id": "4a95...",
                   "start": "2026-12-06T11:00:00.000000", "time": "..."}, ...],
     "encryption": {"mode": "repokey-blake2"}, "repository": {"id": "...", "location": "..."}}

Contents (``borg list --json-lines REPO::ARCHIVE``), one object per line::

    {"type": "-", "mode": "-rw-r--r--", "path": "src/a", "size": 300000,
     "mtime": "2026-12-06T06:30:30.121918", "linktarget": "", "healthy": true, ...}

Times are borg's local time without a zone. Paths are relative, ``/`` separated.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from syncoxide.errors import RemoteProtocolError

#: borg's one-letter entry types, as ``ls -l`` spells them.
ENTRY_KINDS = {"-": "file", "d": "dir", "l": "symlink", "h": "hardlink", "b": "device",
               "c": "device", "p": "fifo", "s": "socket"}  # fmt: skip


@dataclass(frozen=True)
class ArchiveSummary:
    name: str
    id: str
    time: datetime  # when the backup started, borg's local time


@dataclass(frozen=True)
class RepositorySummary:
    id: str
    location: str
    encryption: str
    archives: list[ArchiveSummary]


@dataclass(frozen=True)
class ArchiveEntry:
    path: str
    kind: str  # file, dir, symlink, hardlink, device, fifo, socket
    mode: str
    size: int
    mtime: datetime
    link_target: str
    healthy: bool


@dataclass(frozen=True)
class BackupStats:
    """From ``borg create --json``: this archive's sizes; ``added`` is what it stored anew."""

    archive: str
    files: int
    original_size: int
    compressed_size: int
    added: int  # deduplicated size: bytes no earlier archive had
    duration: float


def _time(value: Any) -> datetime:
    try:
        return datetime.fromisoformat(str(value))
    except ValueError:
        raise RemoteProtocolError(f"borg gave a time that is not one: {value!r}.") from None


def _object(text: str | bytes) -> dict[str, Any]:
    try:
        record = json.loads(text)
    except ValueError:
        raise RemoteProtocolError("borg answered something that is not JSON.") from None
    if not isinstance(record, dict):
        raise RemoteProtocolError("borg answered JSON that is not an object.")
    return record


def parse_repository(text: str | bytes) -> RepositorySummary:
    record = _object(text)
    repository = record.get("repository") or {}
    archives = [
        ArchiveSummary(str(a["name"]), str(a.get("id", "")), _time(a.get("start") or a["time"]))
        for a in record.get("archives", [])
    ]
    return RepositorySummary(
        id=str(repository.get("id", "")),
        location=str(repository.get("location", "")),
        encryption=str((record.get("encryption") or {}).get("mode", "")),
        archives=archives,
    )


def parse_entry(line: str | bytes) -> ArchiveEntry:
    record = _object(line)
    return ArchiveEntry(
        path=str(record["path"]),
        kind=ENTRY_KINDS.get(str(record.get("type", "-")), "other"),
        mode=str(record.get("mode", "")),
        size=int(record.get("size") or 0),
        mtime=_time(record.get("mtime", "1970-01-01T00:00:00")),
        link_target=str(record.get("linktarget", "")),
        healthy=bool(record.get("healthy", True)),
    )


def parse_entries(lines: Iterable[str | bytes]) -> Iterator[ArchiveEntry]:
    for line in lines:
        if line.strip():
            yield parse_entry(line)


def parse_create_stats(text: str | bytes) -> BackupStats:
    archive = _object(text).get("archive") or {}
    stats = archive.get("stats") or {}
    return BackupStats(
        archive=str(archive.get("name", "")),
        files=int(stats.get("nfiles", 0)),
        original_size=int(stats.get("original_size", 0)),
        compressed_size=int(stats.get("compressed_size", 0)),
        added=int(stats.get("deduplicated_size", 0)),
        duration=float(archive.get("duration", 0.0)),
    )


def children(entries: Iterable[ArchiveEntry], folder: str) -> list[ArchiveEntry]:
    """The entries directly inside ``folder`` ("" for the top), folders first, then by name.

    A folder that borg lists only through its contents (a tar stream may omit folder entries)
    still appears, as a ``dir`` of size 0.
    """
    prefix = folder.strip("/") + "/" if folder.strip("/") else ""
    found: dict[str, ArchiveEntry] = {}
    for entry in entries:
        if not entry.path.startswith(prefix) or entry.path == prefix.rstrip("/"):
            continue
        rest = entry.path[len(prefix) :]
        head, _, tail = rest.partition("/")
        if tail:
            name = prefix + head
            implied = ArchiveEntry(name, "dir", "drwxr-xr-x", 0, entry.mtime, "", True)
            found.setdefault(name, implied)
        else:
            found[entry.path] = entry
    return sorted(found.values(), key=lambda e: (e.kind != "dir", e.path))
