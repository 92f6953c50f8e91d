"""What earlier runs learned about each S3 object, so a listing need not HEAD it again.

A listing gives each key's size, ETag and LastModified but not its metadata, where our mtime
and digests live; asking costs one HEAD per object, which was most of a "nothing changed" run.
An S3 object never changes in place: a new body or new metadata makes a new object with a new
LastModified (and a new ETag for a new body). So an object whose size, ETag and LastModified
are what they were when we last saw its metadata still has that metadata, and its HEAD is
skipped. An object we wrote ourselves is remembered by size and ETag from the write's reply
(the reply has no LastModified); the first listing that sees it adds its LastModified.

The memory is a JSON file beside the pair's state. Losing it or finding it unreadable costs
only speed: every object is HEADed once more and the file is written anew.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from syncoxide.native.atomic_file import replace_file
from syncoxide.providers.contract import Entry, EntryKind

_VERSION = 1


@dataclass(frozen=True)
class KnownObject:
    size: int
    etag: str
    last_modified: str  # as the listing spells it; "" until a listing has seen the object
    mtime_ns: int
    hashes: dict[str, str] = field(default_factory=dict)

    def matches(self, size: int, etag: str, last_modified: str) -> bool:
        # Quotes vary: rclone serve s3 lists ETags bare but returns them quoted from a PUT.
        if size != self.size or (etag != self.etag and etag.strip('"') != self.etag.strip('"')):
            return False
        if self.last_modified in ("", last_modified):
            return True
        return _same_instant(self.last_modified, last_modified)

    def entry(self, path: str) -> Entry:
        etag = self.etag.strip('"')
        return Entry(path, EntryKind.FILE, self.size, self.mtime_ns, dict(self.hashes), etag=etag)


def _same_instant(known: str, listed: str) -> bool:
    """Whether two spellings of a LastModified name one instant: memories written before
    listings kept the server's text hold ``2026-12-06 13:37:00+00:00`` for the listing's
    ``2026-12-06T13:37:00.000Z``. Only reached when the texts differ, so a listing of
    unchanged objects parses no dates."""
    try:
        return datetime.fromisoformat(known) == datetime.fromisoformat(listed)
    except ValueError:
        return False


class ObjectMemory:
    """Keys to what their objects held when last seen; saved by ``save`` only."""

    def __init__(self, file: Path | None = None) -> None:
        self._file = file
        self._known = _load(file) if file is not None else {}
        self._changed = False

    def recall(self, key: str, size: int, etag: str, last_modified: str) -> KnownObject | None:
        known = self._known.get(key)
        if known is None or not known.matches(size, etag, last_modified):
            return None
        if known.last_modified != last_modified:
            self.learn(key, KnownObject(size, etag, last_modified, known.mtime_ns, known.hashes))
        return known

    def learn(self, key: str, known: KnownObject) -> None:
        self._known[key] = known
        self._changed = True

    def moved(self, old: str, new: str, etag: str) -> None:
        """``new`` is a server-side copy of ``old`` (same metadata) with the copy's ETag: its
        first listing needs no HEAD either."""
        known = self._known.get(old)
        if known is not None and etag:
            self.learn(new, KnownObject(known.size, etag, "", known.mtime_ns, known.hashes))

    def forget(self, key: str) -> None:
        if self._known.pop(key, None) is not None:
            self._changed = True

    def keep_only(self, keys: set[str], under: str) -> None:
        """After a complete listing of ``under``: objects not seen there are gone."""
        for key in [k for k in self._known if k.startswith(under) and k not in keys]:
            self.forget(key)

    def save(self) -> None:
        if self._file is None or not self._changed:
            return
        objects = {
            key: [k.size, k.etag, k.last_modified, k.mtime_ns, k.hashes]
            for key, k in self._known.items()
        }
        document = json.dumps({"version": _VERSION, "objects": objects}).encode()
        replace_file(self._file, document, durable=False)  # lost: the next run lists again
        self._changed = False


def _load(file: Path) -> dict[str, KnownObject]:
    try:
        saved = json.loads(file.read_text())
        if saved.get("version") != _VERSION:
            return {}
        return {
            str(key): KnownObject(int(size), str(etag), str(modified), int(mtime), dict(hashes))
            for key, (size, etag, modified, mtime, hashes) in saved["objects"].items()
        }
    except (OSError, ValueError, TypeError, KeyError, AttributeError):
        return {}  # missing or unreadable: start over, which only costs HEADs
