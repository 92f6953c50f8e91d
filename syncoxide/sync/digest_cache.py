"""Digests a pair remembers for its destination's files, so a destination that lists none (S3,
whose ETag is no MD5 for multipart objects; SFTP, which has no hashing at all) can still take
part in rename detection without a download.

A record says: the file at ``path``, when it had this size, mtime and ETag, held bytes with
these digests. Records come only from bytes the engine itself hashed: a copy's verified
stream (for a copy in parts, the source read alongside while it stayed unchanged), or a
record carried along by a server-side move. A record is used only while the
listed file still has exactly the recorded size, mtime and ETag, or an ETag equal to the
recorded MD5 (``recall``); any difference and the record is ignored, and dropped at the end
of the run. So a file changed since it was
recorded, even to the same size, never pairs by its old digest.

Where the source names its files (``Features.keeps_file_ids``: a local disk's device and
inode), a record also keeps the ``file_id`` of the source file the copy came from and its
inode change time then (``Entry.changed_ns``). A source file that appears under a new name
with that file id and the recorded size, mtime and ctime is that very file, renamed and
unchanged since (``source_digests``): it takes the record's digests without being read. Size
and mtime alone are not enough: a tag editor that "keeps the modification time" rewrites a tag
in its padding (same size), sets the old mtime back, and the file is then renamed by its new
tags; the old digest would move the destination's old bytes to the new name, where every later
run finds size and mtime equal and leaves them. The ctime moves with any write and no call
sets it back, so such a file is read. A rename moves it too on Linux's file systems, so there
a renamed file is read in any case (one local read; the destination's copy still is not, and
the copy is still a move); the trust by id holds where a rename keeps the ctime. A record
without a ctime (version 1 and 2 rows) is not trusted this way when the listed file has one.
A filesystem also reuses a deleted file's inode, so a new file could show the old id, size
and mtime only if its mtime was set to the old one's exact nanosecond; an mtime of whole
seconds (what archives and second-precision tools set) is therefore never trusted this way.

How strong "unchanged" is depends on what the provider tells: S3 gives an ETag that changes
with every new body, so a rewrite is seen even when the writer set the old mtime again; SFTP
gives size and mtime in whole seconds only, the same quick check the planner trusts to call a
file unchanged (a rewrite that keeps both is invisible to either).

Stored as UTF-8 JSON beside the pair's state (``PairStore.save_digests``)::

    {"format": "syncoxide-digest-cache", "version": 3, "root": "<destination root id>",
     "files": [[path, size, mtime_ns, etag, {kind: hex}, source_file_id, source_ctime_ns],
               ...]}

Version 1 rows lack the last two fields, version 2 rows the last one (read as "" and 0:
unknown); both are still read.

The cache is only a shortcut: a blob that cannot be read, or one recorded for another root,
reads as an empty cache (the renamed files are then copied, as without it).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import NamedTuple

from syncoxide.byte_names import json_bytes
from syncoxide.providers.contract import Entry, EntryKind
from syncoxide.sync.plan import Action, ActionKind, Side

CACHE_FORMAT = "syncoxide-digest-cache"
CACHE_VERSION = 3
_READABLE_VERSIONS = (1, 2, 3)
_SECOND = 10**9


class Remembered(NamedTuple):
    """What a file looked like when its digests were taken. A tuple, not a dataclass: a
    local pair reads 10,000 of them before every run that acts, and a tuple is built in a
    fifth of the time."""

    size: int
    mtime_ns: int
    etag: str
    hashes: Mapping[str, str]
    #: ``Entry.file_id`` of the source file these bytes were copied from, "" if unknown.
    source_id: str = ""
    #: ``Entry.changed_ns`` of that source file as listed for the copy, 0 if unknown.
    source_changed_ns: int = 0

    def fits(self, entry: Entry) -> bool:
        if (entry.size, entry.mtime_ns) != (self.size, self.mtime_ns):
            return False
        # An ETag that is the MD5 of the bytes we hashed proves them by itself: rclone serve s3
        # answers a multipart upload with a multipart ETag but lists the plain MD5.
        return entry.etag == self.etag or (
            entry.etag != "" and entry.etag == self.hashes.get("md5")
        )


@dataclass
class DigestCache:
    root: str
    files: dict[str, Remembered] = field(default_factory=dict)

    def recall(self, entry: Entry) -> Mapping[str, str]:
        """The digests remembered for ``entry``; empty unless it is unchanged since."""
        known = self.files.get(entry.path)
        return known.hashes if known is not None and known.fits(entry) else {}

    def kinds(self) -> frozenset[str]:
        return frozenset(kind for known in self.files.values() for kind in known.hashes)


def encode_cache(cache: DigestCache) -> bytes:
    # Records share the hashes dict they were read with: no copy per row (10,000 rows are
    # a local pair's usual size, and this runs after every run that changed something).
    rows = [
        [path, k.size, k.mtime_ns, k.etag, k.hashes, k.source_id, k.source_changed_ns]
        for path, k in sorted(cache.files.items())
    ]
    body = {"format": CACHE_FORMAT, "version": CACHE_VERSION, "root": cache.root, "files": rows}
    return json_bytes(body)


def decode_cache(blob: bytes | None, root: str) -> DigestCache:
    """The cache saved for ``root``; empty when there is none, it is unreadable, or it was
    recorded for another root."""
    if blob is None:
        return DigestCache(root)
    try:
        body = json.loads(blob.decode())
        if (body["format"], body["root"]) != (CACHE_FORMAT, root):
            return DigestCache(root)
        if body["version"] not in _READABLE_VERSIONS:
            return DigestCache(root)
        files = dict(_row(row) for row in body["files"])
    except (ValueError, KeyError, TypeError, AttributeError):
        return DigestCache(root)
    return DigestCache(root, files)


def _row(row: list[object]) -> tuple[str, Remembered]:
    """One file's record from a version 1 row (five fields), a version 2 row (six) or a
    version 3 row (seven); ``TypeError`` for any field of the wrong type."""
    path, size, mtime, etag, hashes, *rest = row
    source_id = rest[0] if rest else ""
    source_changed = rest[1] if len(rest) > 1 else 0
    if not (
        type(path) is str
        and type(size) is int
        and type(mtime) is int
        and type(etag) is str
        and type(source_id) is str
        and type(source_changed) is int
    ):
        raise TypeError("a record field has the wrong type")
    return path, Remembered(size, mtime, etag, _hashes(hashes), source_id, source_changed)


def source_digests(
    cache: DigestCache, arrived: Mapping[str, Entry], gone: Mapping[str, Entry]
) -> dict[str, Mapping[str, str]]:
    """Digests for the ``arrived`` source files (key -> digests) that are the very file a
    ``gone`` destination file was copied from: the same file id, size, mtime and ctime as its
    record, whose destination file is unchanged since. No byte is read for them."""
    by_source: dict[str, Remembered] = {}
    for entry in gone.values():
        known = cache.files.get(entry.path)
        if known is not None and known.source_id and known.fits(entry):
            by_source[known.source_id] = known
    found: dict[str, Mapping[str, str]] = {}
    for key, entry in arrived.items():
        known = by_source.get(entry.file_id) if entry.file_id else None
        if known is None or entry.mtime_ns % _SECOND == 0:
            continue
        if (entry.size, entry.mtime_ns, entry.changed_ns) == (
            known.size,
            known.mtime_ns,
            known.source_changed_ns,
        ):
            found[key] = known.hashes
    return found


def _hashes(value: object) -> dict[str, str]:
    if not isinstance(value, dict) or not all(type(v) is str for v in value.values()):
        raise TypeError("digests are not a mapping of text")
    return value  # keys of a JSON object are always text


@dataclass(frozen=True)
class Done:
    """One action the run applied to the destination, and the entry it wrote (a copy's)."""

    action: Action
    written: Entry | None
    #: The written entry's digests were taken over the bytes this copy sent: its verified
    #: stream, or for a copy in parts the source read alongside while it stayed unchanged.
    hashed_in_transit: bool


def cache_after(
    old: DigestCache, listed: Iterable[Entry], done: Iterable[Done], *, min_size: int = 0
) -> DigestCache:
    """The cache to save after a run: records still true of the listed files, then the
    effect of each destination action in the order it ran (a copy records what it hashed,
    a move carries the record, anything else that touched a name drops its record).
    Files smaller than ``min_size`` get no new record."""
    new = DigestCache(old.root)
    for entry in listed:
        known = old.files.get(entry.path)
        if (
            entry.kind is EntryKind.FILE
            and known is not None
            and known.size >= min_size
            and known.fits(entry)
        ):
            fresh = known if known.etag == entry.etag else known._replace(etag=entry.etag)
            new.files[entry.path] = fresh
    for step in done:
        _apply(new, step, min_size)
    return new


def _apply(cache: DigestCache, step: Done, min_size: int) -> None:
    action = step.action
    if action.side is not Side.PATH2:
        return
    before = cache.files.pop(action.path, None)
    if action.kind in (ActionKind.COPY, ActionKind.TOUCH):
        kept = _after_copy(before, step)
        if kept is not None and kept.size >= min_size:
            cache.files[action.path] = kept
    elif action.kind is ActionKind.RENAME and action.source_path is not None:
        # Same bytes under the new name (a move never rewrites them): the record follows it,
        # parked names included (the chain's next step carries it on). It stays true while
        # the provider keeps size, mtime and ETag on a move; where it does not, it is a miss.
        moved = cache.files.pop(action.source_path, None)
        if moved is not None:
            cache.files[action.path] = moved


def _after_copy(before: Remembered | None, step: Done) -> Remembered | None:
    written = step.written
    if written is None or not written.hashes:
        return None
    source = step.action.source
    source_id = source.file_id if source is not None else ""
    changed = source.changed_ns if source is not None else 0
    if step.hashed_in_transit:
        hashes = dict(written.hashes)
        return Remembered(written.size, written.mtime_ns, written.etag, hashes, source_id, changed)
    if before is not None and written.size == before.size and _agree(before.hashes, written):
        # Only the time was set (the same bytes, found equal by digest): same digests.
        return Remembered(
            written.size, written.mtime_ns, written.etag, before.hashes, source_id, changed
        )
    return None


def _agree(hashes: Mapping[str, str], entry: Entry) -> bool:
    shared = sorted(hashes.keys() & entry.hashes.keys())
    return bool(shared) and all(hashes[kind] == entry.hashes[kind] for kind in shared)
