"""What the device sync session needs from a synced folder: its index, the blocks it holds,
and a way to apply a peer's entry. Two implementations keep the same behaviour on different
storage: ``ProviderFolder`` (any Provider: the browser's private folders) and the CLI's folder
on disk (``syncoxide/native/devices/local_folder.py``: fsync, scratch files, worker threads).

Contract both keep: a file from a peer is either wholly in place or not at all; every block is
checked against its hash before it is written (``IntegrityError`` otherwise, nothing changed);
a file is replaced only while it is still what the index says (``take`` returns False
otherwise, and the local edit is scanned and announced first); deleted files and the losing
side of a conflict are moved aside, never dropped; a scan that finds no files where the index
knew some is refused (``refuse_if_vanished``); so is one whose mark is missing or another's
(``mark_to_write``), where the folder keeps one, and so is each batch of a peer's entries
(``check_mark``).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, KeysView, Sequence
from typing import Protocol

from syncoxide.devices.index import STATE_FOLDER, FileEntry, FolderIndex
from syncoxide.errors import EmptySideError, FolderReplacedError

#: Fetch block ``number`` (whose SHA-256 is the hex digest) of the entry being taken.
FetchBlock = Callable[[int, str], Awaitable[bytes]]
#: A block a peer asks for: (path, block number, hex digest).
BlockAsk = tuple[str, int, str]
#: Where a folder that keeps a mark holds it: the id its index was started for, as text.
MARK_FILE = f"{STATE_FOLDER}/folder-mark"
MARK_MAX_BYTES = 256


class DeviceFolder(Protocol):
    @property
    def index(self) -> FolderIndex: ...

    def held_digests(self) -> KeysView[str]:
        """The block digests the folder holds (a live view: read it before the next write)."""
        ...

    async def scan(self) -> list[FileEntry]:
        """Bring the index up to the storage; the entries that changed (to announce)."""
        ...

    async def check_mark(self) -> None:
        """Raise ``FolderReplacedError`` if the folder is not the one its index describes
        (``mark_to_write``); a folder that keeps no mark passes. Called once per batch of a
        peer's entries, before any of them is decided: a folder made again meanwhile must not
        have a peer's files written into it, nor its missing files counted deleted."""
        ...

    async def refresh(self, path: str) -> FileEntry | None:
        """Bring one path's entry up to the storage; the new entry if it had changed."""
        ...

    async def take(self, theirs: FileEntry, fetch: FetchBlock, *, version: dict[str, int]) -> bool:
        """Put ``theirs`` in place, fetching the blocks not held; False if changed under us."""
        ...

    async def keep_aside(self, loser: FileEntry, fetch: FetchBlock, *, ours: bool) -> None:
        """Keep a conflict's losing version under its conflict name."""
        ...

    def merge_version(self, path: str, theirs: FileEntry) -> None:
        """Same content on both sides: only the version vectors are merged."""
        ...

    async def serve_blocks(self, asks: Sequence[BlockAsk]) -> list[bytes | None]:
        """Each asked block, read and checked against its hash; None where no file holds it."""
        ...

    async def save(self) -> None:
        """Journal the index (called once per batch of applied entries)."""
        ...


def refuse_if_vanished(name: str, index: FolderIndex, files_found: int) -> None:
    """Raise ``EmptySideError`` when a scan found no file where the index knew some: a folder
    that vanished (deleted, unmounted, its storage cleared) lists like one emptied on purpose,
    and taken as deletions it would empty every other device's copy (the sync engine's
    empty-side stop)."""
    live = sum(not entry.deleted for entry in index.entries.values())
    if not files_found and live:
        raise EmptySideError(
            f"The folder {name} lists no files, but {live} were synced in it.",
            hint="Nothing was deleted on your other devices. To empty it on purpose, "
            "delete the files on one of the other devices instead.",
        )


def mark_to_write(
    name: str, index: FolderIndex, found: str | None, mark: str, *, anew: str = "pick it again"
) -> bool:
    """Whether the folder's mark must be written now; raise ``FolderReplacedError`` when the
    folder is not the one its index describes.

    A folder deleted and made again at the same place, or another folder put there, lists like
    the indexed folder with files deleted, and taken as deletions those would reach every other
    device; an index only trusts a folder holding its mark (``found``, None when missing).
    A fresh index (no entries yet) takes the folder as it is and marks it. ``anew`` says how
    this app shares a folder anew (the hint)."""
    if found == mark:
        return False
    if not index.entries:
        return True
    state = "missing" if found is None else "another folder's"
    raise FolderReplacedError(
        f"The folder {name} is not the one synced before (its mark {MARK_FILE} is {state}): "
        "it was deleted and made again, or another folder took its place.",
        hint=f"Nothing was deleted on your other devices. Share the folder anew ({anew}): "
        "a folder shared anew starts a fresh index, so the files it lacks are fetched, not "
        "deleted.",
    )


__all__ = [
    "MARK_FILE",
    "BlockAsk",
    "DeviceFolder",
    "FetchBlock",
    "mark_to_write",
    "refuse_if_vanished",
]
