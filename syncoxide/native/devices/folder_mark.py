"""A synced folder's mark on disk: ``.syncoxide/folder-mark`` holds the id the folder was
added with (folders.py), and the folder's index only trusts a folder holding it.

A folder deleted and made again at the same place, or another folder put there, lists like
the indexed folder with files deleted; scanned against the old index, those deletions would
reach every other device (Syncthing guards the same with its ``.stfolder``). The decision is
the core's (``folder_port.mark_to_write``, the browser's picked folders use it too); here are
the reads and writes, and the adoption of folders kept by earlier releases, which have no id:
they are given one and marked as they are, once, never refused.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from syncoxide.devices.index import STATE_FOLDER, FolderIndex
from syncoxide.engine.device_sync.folder_port import MARK_FILE, MARK_MAX_BYTES, mark_to_write
from syncoxide.errors import PermissionDeniedError
from syncoxide.native.atomic_file import fsync_folder, replace_file
from syncoxide.native.devices.folders import FolderBook, SharedFolder, new_folder_id


def read_mark(root: Path) -> str | None:
    """The folder's mark; None when it has none (or the folder is gone)."""
    try:
        with (root / MARK_FILE).open("rb") as held:
            return held.read(MARK_MAX_BYTES).decode(errors="replace")
    except (FileNotFoundError, NotADirectoryError):
        return None


def write_mark(root: Path, mark: str) -> None:
    """Mark the folder durably (temporary file, fsync, rename, fsync of the folders). The
    folder itself is not made: a folder that is gone must not reappear empty."""
    state = root / STATE_FOLDER
    if not state.is_dir():
        state.mkdir()
        fsync_folder(root)
    replace_file(root / MARK_FILE, mark.encode(), mode=0o644)


def check_mark(name: str, root: Path, index: FolderIndex, mark: str) -> None:
    """Raise ``FolderReplacedError`` if the folder at ``root`` is not the one ``index``
    describes; mark it if the index is fresh. A folder that is gone is left to the scan,
    which refuses it as vanished (and keeps looking: a drive may be mounted again)."""
    found = read_mark(root)
    if found == mark or not root.is_dir():  # the usual case costs one read of a small file
        return
    anew = f"syncoxide devices folders remove {name}, then add it again"
    if not mark_to_write(name, index, found, mark, anew=anew):
        return
    try:
        write_mark(root, mark)
    except OSError as error:  # a read-only folder: unmarked, it could not be told from another
        raise PermissionDeniedError(
            f"The folder {name} cannot hold its mark {MARK_FILE} ({error.strerror}).",
            hint="It is not synced until this user may write into it.",
        ) from None


def adopt(book: FolderBook, shared: SharedFolder) -> SharedFolder:
    """A folder kept by an earlier release (no id) with its id given and its mark written,
    taken as it is (the mark first: a kill between leaves a mark the next start rewrites).
    Left as it is while its folder is gone."""
    if shared.folder_id is not None or not shared.path.is_dir():
        return shared
    folder_id = new_folder_id()
    try:
        write_mark(shared.path, folder_id)
    except OSError:
        return shared  # a read-only folder: synced unmarked, as before
    if not book.keep_id(shared.name, shared.path, folder_id):
        return shared  # changed meanwhile by `devices folders`: taken when read again
    return replace(shared, folder_id=folder_id)


__all__ = ["adopt", "check_mark", "read_mark", "write_mark"]
