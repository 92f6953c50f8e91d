"""Files in the data directory are for the server's own user alone: created ``0600``, and
tightened at start when an older server (or an operator's ``cp``) left them readable by others.

The database, blobs, keys and half-finished uploads hold users' files and secrets, so nobody
else on the machine may read them. Every file the server writes there is created through
``create_owner_only`` (mode ``0600`` from the first byte, not chmod after); SQLite gives its
``-wal`` and ``-shm`` files the database file's mode, so creating that one ``0600`` is enough.

``tighten`` removes group and other permissions from what is already there. Its first run on a
data directory walks everything; after that (the marker ``owner_only.walked``) only the top
level is checked, since everything below it is created owner-only by this code and the data
folder itself (``0700``) keeps strangers out of it: a million blobs are not walked at every start.
"""

from __future__ import annotations

import contextlib
import os
import stat
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

from syncoxide.units import counted

OTHERS = 0o077  # group and other permission bits
WALKED_MARKER = "owner_only.walked"


def create_owner_only(path: Path) -> BinaryIO:
    """A new file open for writing, readable by the owner only; FileExistsError if it exists."""
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    return os.fdopen(descriptor, "wb")


def mkdir_owner_only(folder: Path) -> None:
    """``folder`` and any missing parents, each ``0700`` (``mkdir(parents=True, mode=...)`` gives
    the parents the umask's mode, ``0755`` on most machines)."""
    if folder.is_dir():
        return
    mkdir_owner_only(folder.parent)
    with contextlib.suppress(FileExistsError):  # a concurrent writer made it meanwhile
        folder.mkdir(mode=0o700)


def touch_owner_only(path: Path) -> None:
    """Create ``path`` empty and ``0600`` unless it exists (so SQLite opens it, not creates it)."""
    with contextlib.suppress(FileExistsError):
        create_owner_only(path).close()


@dataclass
class Tightened:
    """What ``tighten`` changed, for the start-up report."""

    root: Path
    paths: list[Path] = field(default_factory=list)

    def report(self) -> str:
        if not self.paths:
            return ""
        shown = ", ".join(str(p.relative_to(self.root)) or "." for p in self.paths[:5])
        more = f" and {len(self.paths) - 5} more" if len(self.paths) > 5 else ""
        were = "was" if len(self.paths) == 1 else "were"
        return (
            f"Tightened permissions in {self.root}: {counted(len(self.paths), 'item')} {were}"
            f" readable by other users of this machine ({shown}{more}); now only the server's own"
            " user can read them. Nothing else was changed."
        )


def tighten(root: Path, *, walk_all: bool) -> Tightened:
    """Remove group/other permissions from ``root`` and its top level, or from everything."""
    done = Tightened(root)
    for path in _everything(root) if walk_all else _top_level(root):
        if _tighten_one(path):
            done.paths.append(path)
    return done


def _top_level(root: Path) -> Iterator[Path]:
    yield root
    with os.scandir(root) as entries:
        for entry in entries:
            yield Path(entry.path)


def _everything(root: Path) -> Iterator[Path]:
    yield root
    for folder, folders, files in os.walk(root):  # does not follow symlinked folders
        for name in (*folders, *files):
            yield Path(folder, name)


def _tighten_one(path: Path) -> bool:
    try:
        mode = path.lstat().st_mode
    except FileNotFoundError:  # removed while we walked (an upload finishing)
        return False
    if stat.S_ISLNK(mode) or not mode & OTHERS:
        return False  # a symlink's own mode means nothing; its target is not ours to change
    path.chmod(stat.S_IMODE(mode) & ~OTHERS)
    return True
