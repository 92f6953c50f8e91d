"""Reading a synced folder's tree on disk, on plain strings: a running daemon scans on every
change, and building ``Path`` objects per file cost three quarters of an unchanged 1,000-file
scan. A link to a folder is not followed and a folder that cannot be listed is skipped, in a
full scan and in a scan of a few paths alike, so both agree on what the folder holds.
"""

from __future__ import annotations

import hashlib
import os
import time
from collections.abc import Iterator
from pathlib import Path

from syncoxide.devices.index import BLOCK_SIZE, STATE_FOLDER, Stamp

#: A file whose ctime is this recent may still change within the same timestamp tick (the
#: kernel stamps files from a coarse clock: a write a few milliseconds after the one we saw
#: can leave ctime, and mtime, as they were): its stamp is not kept, so the next scan reads it
#: again (git's "racily clean" entries). 2 s also covers FAT's two-second mtimes.
SETTLED_AFTER_NS = 2 * 10**9


def walk_files(directory: str, prefix: str = "") -> Iterator[tuple[str, str]]:
    """(relative path, path) of every file under ``directory``, whose own relative path is
    ``prefix`` ("" for the root, else ending in "/"), but the folder's state folder."""
    pending = [(prefix, directory)]
    while pending:
        prefix, directory = pending.pop()
        for item in listing(directory):
            relative = prefix + item.name
            if is_folder(item):
                if not item.is_symlink() and relative != STATE_FOLDER:
                    pending.append((relative + "/", item.path))
                continue
            yield relative, item.path


def tree_look(directory: str) -> tuple[int, int, int]:
    """(files, bytes, newest mtime) under ``directory``: the same twice a moment apart, no
    file is being copied or written in (a folder put back by a copy, file by file)."""
    files = size = newest = 0
    for _, path in walk_files(directory):
        try:
            facts = os.stat(path)  # noqa: PTH116 - strings, as walk_files
        except OSError:
            continue
        files, size, newest = files + 1, size + facts.st_size, max(newest, facts.st_mtime_ns)
    return files, size, newest


def listing(directory: str) -> list[os.DirEntry[str]]:
    """The entries of ``directory``; none when it cannot be listed (gone, or no permission)."""
    try:
        with os.scandir(directory) as entries:
            return list(entries)
    except OSError:
        return []


def is_folder(item: os.DirEntry[str]) -> bool:
    try:
        return item.is_dir()
    except OSError:
        return False


def settled_stamp(ctime_ns: int, inode: int) -> Stamp | None:
    """``FileEntry.stamp`` for a file just looked at; None while its ctime is too recent to
    trust (``SETTLED_AFTER_NS``). Only files being read or written come here: no clock is
    read per file of an unchanged scan."""
    if ctime_ns > time.time_ns() - SETTLED_AFTER_NS:
        return None
    return (ctime_ns, inode)


def hash_blocks(path: Path | str) -> tuple[int, tuple[str, ...]]:
    blocks, size = [], 0
    with Path(path).open("rb") as handle:
        while chunk := handle.read(BLOCK_SIZE):
            blocks.append(hashlib.sha256(chunk).hexdigest())
            size += len(chunk)
    return size, tuple(blocks)


__all__ = [
    "hash_blocks",
    "is_folder",
    "listing",
    "settled_stamp",
    "walk_files",
]
