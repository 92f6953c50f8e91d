# ruff: noqa: PTH115
# Plain ``os`` calls on ``str`` paths on purpose: this is the per-file hot path (10k files),
# and building ``Path`` objects there costs measurable time.
"""What the local disk provider sees of a folder: entries from ``lstat``/``scandir`` and the
syncoxide errors an ``OSError`` becomes (``translated``)."""

from __future__ import annotations

import os
import stat as stat_flags
from collections.abc import Iterator
from contextlib import contextmanager

from syncoxide.errors import (
    AlreadyExistsError,
    NotFoundError,
    PermissionDeniedError,
    ProviderError,
)
from syncoxide.providers.contract import PARTIAL_PREFIX, Entry, EntryKind, PrunePredicate


@contextmanager
def translated(path: str) -> Iterator[None]:
    """OSError -> the syncoxide error tree, with the path in the message."""
    try:
        yield
    except FileNotFoundError as error:
        raise NotFoundError(f"{path!r} does not exist.") from error
    except PermissionError as error:
        raise PermissionDeniedError(f"No permission for {path!r}: {error.strerror}.") from error
    except FileExistsError as error:
        raise AlreadyExistsError(f"{path!r} already exists.") from error
    except OSError as error:
        raise ProviderError(f"Local disk error on {path!r}: {error.strerror or error}.") from error


def entry_from_stat(path: str, info: os.stat_result, full: str) -> Entry:
    mode = info.st_mode
    if stat_flags.S_ISLNK(mode):
        return Entry(path, EntryKind.SYMLINK, link_target=os.readlink(full))
    if stat_flags.S_ISDIR(mode):
        return Entry(path, EntryKind.DIR)
    kind = (
        EntryKind.PARTIAL if path.rpartition("/")[2].startswith(PARTIAL_PREFIX) else EntryKind.FILE
    )
    return Entry(
        path,
        kind,
        info.st_size,
        info.st_mtime_ns,
        file_id=file_id_of(info),
        changed_ns=info.st_ctime_ns,
    )


def file_id_of(info: os.stat_result) -> str:
    """A file's ``Entry.file_id`` here: device and inode, which a rename keeps."""
    return f"{info.st_dev}:{info.st_ino}"


def scan_folder(
    relative: str, folder: str, prune: PrunePredicate | None, pending: list[tuple[str, str]]
) -> list[Entry]:
    found: list[Entry] = []
    with os.scandir(folder) as listing:
        for item in listing:
            path = f"{relative}/{item.name}" if relative else item.name
            if item.is_dir(follow_symlinks=False):
                if prune is not None and prune(path):
                    continue
                found.append(Entry(path, EntryKind.DIR))
                pending.append((path, item.path))
                continue
            found.append(entry_from_stat(path, item.stat(follow_symlinks=False), item.path))
    return found
