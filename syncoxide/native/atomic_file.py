"""Replace a small file whole: readers see the old version or the new one, never half of one.

Used for state files (pair state and journal, trust records, saved remotes and tokens, upload
ledgers, authorized_keys). The new bytes go to a sibling file unique to this writer, created
with its final permissions (so a secret is never readable by others, even for a moment), then
take the old file's name by ``rename``, which POSIX makes atomic within a folder.

``durable=True`` also fsyncs the file before the rename and the folder after it, so the new
version survives a power loss, not only a killed process; caches that are rebuilt when missing
pass False and skip the two flushes.

A file that several processes change (the device config, edited by ``devices folders`` while
the daemon writes into it too) is read, changed and replaced while ``held_for_update``: an
exclusive ``flock`` on a lock file beside it, so that two writers at the same moment
each see the other's change instead of the last rename dropping the first one's. The lock is
held on its own file, not on the target: the target's inode changes with every rename.
"""

from __future__ import annotations

import fcntl
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


def replace_file(path: Path, data: bytes, *, mode: int = 0o600, durable: bool = True) -> None:
    staging = path.with_name(f".{path.name}.{os.getpid()}-{os.urandom(4).hex()}.partial")
    fd = os.open(staging, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
    try:
        try:
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view) :]
            if durable:
                os.fsync(fd)
        finally:
            os.close(fd)
        staging.replace(path)
    except BaseException:
        staging.unlink(missing_ok=True)
        raise
    if durable:
        fsync_folder(path.parent)


def fsync_folder(folder: Path) -> None:
    """Make a rename or a new name in ``folder`` survive a power loss."""
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


@contextmanager
def held_for_update(path: Path) -> Iterator[None]:
    """Hold ``path`` for a read-modify-write: an exclusive ``flock`` on ``.<name>.lock`` beside
    it (made if missing), waited for while another holds it. The kernel drops it with the
    descriptor, even when the holder is killed."""
    fd = os.open(path.with_name(f".{path.name}.lock"), os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)
