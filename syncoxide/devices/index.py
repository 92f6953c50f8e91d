"""A folder's index as devices trade it: one entry per file, with a version vector and the
SHA-256 of each block, and the decision what to do with a peer's entry.

Entry on the wire (JSON, in pages of at most ``PAGE_ENTRIES``)::

    {"path": "a/b.txt", "size": 123, "mtime_ns": 17..., "deleted": false,
     "version": {"<device id>": 3, ...}, "blocks": ["<sha256 hex>", ...], "modified_by": "<id>"}

Where this device keeps the index (its journal and snapshot: index_journal.py) an entry may also
carry ``"stamp": [st_ctime_ns, st_ino]``, what the local disk showed of the file when the entry was
taken from it (``FileEntry.stamp``); it is never sent to a peer and a peer's is ignored.

Blocks are fixed ``BLOCK_SIZE`` slices; a receiver fetches only the blocks whose hash it does not
already hold, so an edit in the middle of a large file moves one block, not the file.

Version vectors say who saw what: ``a`` dominates ``b`` when every counter of ``a`` is at least
``b``'s. A peer entry that dominates ours is taken; one we dominate is ignored; neither is a
conflict, resolved the same way on every device so they converge: the entry modified later
(``mtime_ns``, then ``modified_by``) wins the name, the other is kept beside it under
``conflict_name`` (keep both), and the winner's vector becomes the merge of the two. Equal
content with different vectors is no conflict: the vectors merge.
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from syncoxide.errors import RemoteProtocolError
from syncoxide.safe_names import strict_relative_path
from syncoxide.sync.paths import RESERVED_TOP, conflict_name

BLOCK_SIZE = 128 * 1024
#: Where each device keeps its own state inside a synced folder; never synced, never accepted.
STATE_FOLDER = RESERVED_TOP  # the same folder the sync engine keeps for itself
PAGE_ENTRIES = 400
MAX_BLOCKS = 1 << 20  # 128 GiB per file
Vector = dict[str, int]
#: ``(st_ctime_ns, st_ino)`` of a file on a local disk (see ``FileEntry.stamp``).
Stamp = tuple[int, int]


def dominates(a: Vector, b: Vector) -> bool:
    return all(a.get(device, 0) >= count for device, count in b.items())


def merged(a: Vector, b: Vector) -> Vector:
    return {device: max(a.get(device, 0), b.get(device, 0)) for device in a.keys() | b.keys()}


@dataclass(frozen=True)
class FileEntry:
    path: str
    size: int
    mtime_ns: int
    version: Vector
    blocks: tuple[str, ...] = ()
    deleted: bool = False
    modified_by: str = ""
    #: What the local disk showed of the file when this entry was taken from it: its inode
    #: change time and inode number. A rewrite that keeps the size and sets the old mtime back
    #: moves the ctime (the kernel sets it on every write and no call sets it back), so a
    #: scan compares it too. None where unknown (an index from before, storage with no inode
    #: such as the browser's, a file just taken from a peer): the next scan then reads the
    #: file once and keeps what it finds. Local only: not compared, never on the wire.
    stamp: Stamp | None = field(default=None, compare=False)

    def same_content(self, other: FileEntry) -> bool:
        return (self.deleted, self.blocks, self.size) == (other.deleted, other.blocks, other.size)

    def to_json(self) -> dict[str, Any]:
        return {
            "path": self.path, "size": self.size, "mtime_ns": self.mtime_ns,
            "deleted": self.deleted, "version": self.version, "blocks": list(self.blocks),
            "modified_by": self.modified_by,
        }  # fmt: skip

    def to_record(self) -> dict[str, Any]:
        """The entry as this device's index keeps it: the wire form and its ``stamp``."""
        body = self.to_json()
        if self.stamp is not None:
            body["stamp"] = list(self.stamp)
        return body

    @classmethod
    def from_record(cls, body: Any) -> FileEntry:
        """An entry from this device's index (``to_record``); one without a stamp (written
        before stamps were kept) loads with none."""
        entry = cls.from_json(body)
        raw = body.get("stamp")
        if raw is None:
            return entry
        if type(raw) is not list or len(raw) != 2 or any(type(part) is not int for part in raw):
            raise RemoteProtocolError(f"The stamp of {entry.path!r} is malformed.")
        return replace(entry, stamp=(raw[0], raw[1]))

    @classmethod
    def from_json(cls, body: Any) -> FileEntry:
        """A peer's entry, checked: a path with ``..`` or any odd part is a protocol error."""
        try:
            entry = cls(
                strict_relative_path(str(body["path"])), int(body["size"]), int(body["mtime_ns"]),
                {str(k): int(v) for k, v in dict(body["version"]).items()},
                tuple(str(h) for h in body["blocks"]), bool(body["deleted"]),
                str(body.get("modified_by", "")),
            )  # fmt: skip
        except (KeyError, TypeError, ValueError, AttributeError):
            raise RemoteProtocolError("A peer sent a malformed index entry.") from None
        if entry.path.split("/")[0] == STATE_FOLDER:
            raise RemoteProtocolError(f"Refused the path {entry.path!r}: it is sync state.")
        _check_shape(entry)
        return entry


def _check_shape(entry: FileEntry) -> None:
    expected = 0 if entry.deleted else -(-entry.size // BLOCK_SIZE)
    if (
        entry.size < 0
        or len(entry.blocks) != expected
        or len(entry.blocks) > MAX_BLOCKS
        or any(len(h) != 64 or h.strip("0123456789abcdef") for h in entry.blocks)
        or any(count < 0 for count in entry.version.values())
    ):
        raise RemoteProtocolError(f"A peer's index entry for {entry.path!r} does not add up.")


class Decision(enum.Enum):
    IGNORE = "ignore"  # ours is as new or newer
    TAKE = "take"  # theirs is newer: fetch it (or delete ours)
    MERGE = "merge"  # same content, different histories: only the vector changes
    CONFLICT_THEIRS_WINS = "conflict-theirs-wins"  # keep ours aside, take theirs
    CONFLICT_OURS_WINS = "conflict-ours-wins"  # keep theirs aside, ours stays


def decide(ours: FileEntry | None, theirs: FileEntry) -> Decision:
    if ours is None:
        return Decision.IGNORE if theirs.deleted else Decision.TAKE
    if dominates(ours.version, theirs.version):
        return Decision.IGNORE
    if ours.same_content(theirs):
        return Decision.MERGE
    if dominates(theirs.version, ours.version):
        return Decision.TAKE
    if ours.deleted or theirs.deleted:  # an edit beats a delete: nothing is lost
        return Decision.TAKE if ours.deleted else Decision.CONFLICT_OURS_WINS
    theirs_later = _conflict_rank(theirs) > _conflict_rank(ours)
    return Decision.CONFLICT_THEIRS_WINS if theirs_later else Decision.CONFLICT_OURS_WINS


def _conflict_rank(entry: FileEntry) -> tuple[int, str, tuple[str, ...], int]:
    """Who wins a conflict: the later edit, then the larger device id, then the content itself,
    so both devices pick the same winner even when clocks and editors tie."""
    return (entry.mtime_ns, entry.modified_by, entry.blocks, entry.size)


def loser_name(loser: FileEntry) -> str:
    """Where the losing side of a conflict is kept: the same name on every device."""
    counter = loser.version.get(loser.modified_by, 0)
    return conflict_name(loser.path, str(counter), loser.modified_by[:7] or "peer")


@dataclass
class FolderIndex:
    """One folder's entries as this device knows them; the daemon's journal of the folder."""

    entries: dict[str, FileEntry] = field(default_factory=dict)


def pages(entries: Sequence[FileEntry]) -> list[list[dict[str, Any]]]:
    """``entries`` as wire pages of at most ``PAGE_ENTRIES``; one empty page when none."""
    bodies = [entry.to_json() for entry in entries]
    return [bodies[i : i + PAGE_ENTRIES] for i in range(0, len(bodies), PAGE_ENTRIES)] or [[]]
