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

How strong "unchanged" is depends on what the provider tells: S3 gives an ETag that changes
with every new body, so a rewrite is seen even when the writer set the old mtime again; SFTP
gives size and mtime in whole seconds only, the same quick check the planner trusts to call a
file unchanged (a rewrite that keeps both is invisible to either).

Stored as UTF-8 JSON beside the pair's state (``PairStore.save_digests``)::

    {"format": "syncoxide-digest-cache", "version": 1, "root": "<destination root id>",
     "files": [[path, size, mtime_ns, etag, {kind: hex}], ...]}

The cache is only a shortcut: a blob that cannot be read, or one recorded for another root,
reads as an empty cache (the renamed files are then copied, as without it).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace

from syncoxide.byte_names import json_bytes
from syncoxide.providers.contract import Entry, EntryKind
from syncoxide.sync.plan import Action, ActionKind, Side

CACHE_FORMAT = "syncoxide-digest-cache"
CACHE_VERSION = 1


@dataclass(frozen=True)
class Remembered:
    """What a file looked like when its digests were taken."""

    size: int
    mtime_ns: int
    etag: str
    hashes: Mapping[str, str]

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
    rows = [
        [path, k.size, k.mtime_ns, k.etag, dict(k.hashes)]
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
        if (body["format"], body["version"], body["root"]) != (CACHE_FORMAT, CACHE_VERSION, root):
            return DigestCache(root)
        files = {
            str(path): Remembered(int(size), int(mtime), str(etag), _hashes(hashes))
            for path, size, mtime, etag, hashes in body["files"]
        }
    except (ValueError, KeyError, TypeError, AttributeError):
        return DigestCache(root)
    return DigestCache(root, files)


def _hashes(value: object) -> dict[str, str]:
    if not isinstance(value, dict):
        raise TypeError("digests are not a mapping")
    return {str(kind): str(digest) for kind, digest in value.items()}


@dataclass(frozen=True)
class Done:
    """One action the run applied to the destination, and the entry it wrote (a copy's)."""

    action: Action
    written: Entry | None
    #: The written entry's digests were taken over the bytes this copy sent: its verified
    #: stream, or for a copy in parts the source read alongside while it stayed unchanged.
    hashed_in_transit: bool


def cache_after(old: DigestCache, listed: Iterable[Entry], done: Iterable[Done]) -> DigestCache:
    """The cache to save after a run: records still true of the listed files, then the
    effect of each destination action in the order it ran (a copy records what it hashed,
    a move carries the record, anything else that touched a name drops its record)."""
    new = DigestCache(old.root)
    for entry in listed:
        known = old.files.get(entry.path)
        if entry.kind is EntryKind.FILE and known is not None and known.fits(entry):
            new.files[entry.path] = replace(known, etag=entry.etag)
    for step in done:
        _apply(new, step)
    return new


def _apply(cache: DigestCache, step: Done) -> None:
    action = step.action
    if action.side is not Side.PATH2:
        return
    before = cache.files.pop(action.path, None)
    if action.kind in (ActionKind.COPY, ActionKind.TOUCH):
        kept = _after_copy(before, step)
        if kept is not None:
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
    if step.hashed_in_transit:
        return Remembered(written.size, written.mtime_ns, written.etag, dict(written.hashes))
    if before is not None and written.size == before.size and _agree(before.hashes, written):
        # Only the time was set (the same bytes, found equal by digest): same digests.
        return Remembered(written.size, written.mtime_ns, written.etag, before.hashes)
    return None


def _agree(hashes: Mapping[str, str], entry: Entry) -> bool:
    shared = sorted(hashes.keys() & entry.hashes.keys())
    return bool(shared) and all(hashes[kind] == entry.hashes[kind] for kind in shared)
