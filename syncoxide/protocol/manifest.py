"""The manifest: the files and folders a transfer offers, with their sizes and SHA-256.

Sent once per connection as UTF-8 JSON inside a MANIFEST frame::

    {"version": 1,
     "folders": ["photos", "photos/empty"],
     "files": [{"path": "photos/a.jpg", "size": 1234, "sha256": "<64 hex>"}]}

Paths are relative, "/"-separated, and never climb out: an absolute path, a drive letter, a
backslash, an empty, "." or ".." component, a NUL, a duplicate, or a file that is also another
entry's folder makes the whole manifest invalid, before a single byte is written.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from syncoxide.errors import RemoteProtocolError

MANIFEST_VERSION = 1
MAX_ENTRIES = 100_000
MAX_PATH_CHARS = 4096
MAX_FILE_SIZE = 2**62


@dataclass(frozen=True)
class FileEntry:
    path: str
    size: int
    sha256: bytes


@dataclass(frozen=True)
class Manifest:
    files: tuple[FileEntry, ...]
    folders: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        _check_entries(self)

    @property
    def total_size(self) -> int:
        return sum(entry.size for entry in self.files)

    def to_json(self) -> bytes:
        body = {
            "version": MANIFEST_VERSION,
            "folders": list(self.folders),
            "files": [
                {"path": f.path, "size": f.size, "sha256": f.sha256.hex()} for f in self.files
            ],
        }
        return json.dumps(body, separators=(",", ":"), ensure_ascii=False).encode()

    @classmethod
    def from_json(cls, raw: bytes) -> Manifest:
        try:
            body = json.loads(raw.decode("utf-8"))
        except ValueError:
            raise _bad("it is not UTF-8 JSON") from None
        if not isinstance(body, dict) or body.get("version") != MANIFEST_VERSION:
            raise _bad(f"it is not a version {MANIFEST_VERSION} manifest")
        files, folders = body.get("files"), body.get("folders", [])
        if not isinstance(files, list) or not isinstance(folders, list):
            raise _bad("'files' and 'folders' must be lists")
        if not all(isinstance(folder, str) for folder in folders):
            raise _bad("a folder name is not a string")
        return cls(tuple(_file_entry(item) for item in files), tuple(folders))


def _bad(what: str) -> RemoteProtocolError:
    return RemoteProtocolError(
        f"The sender's list of files was refused: {what}.",
        hint="Nothing was written. Ask the sender to update syncoxide and send again.",
    )


def _file_entry(item: Any) -> FileEntry:
    if not isinstance(item, dict) or set(item) != {"path", "size", "sha256"}:
        raise _bad("a file entry needs exactly path, size and sha256")
    path, size, digest = item["path"], item["size"], item["sha256"]
    if not isinstance(path, str):
        raise _bad("a file path is not a string")
    if not isinstance(size, int) or isinstance(size, bool) or not 0 <= size <= MAX_FILE_SIZE:
        raise _bad(f"{path!r} has an impossible size")
    if not isinstance(digest, str) or len(digest) != 64:
        raise _bad(f"{path!r} has no SHA-256")
    try:
        return FileEntry(path, size, bytes.fromhex(digest))
    except ValueError:
        raise _bad(f"{path!r} has a SHA-256 that is not hex") from None


def check_relative_path(path: str) -> str:
    """Return ``path`` if it stays inside the destination folder, else raise."""
    if not path or len(path) > MAX_PATH_CHARS:
        raise _bad("a path is empty or too long")
    if "\\" in path or "\x00" in path or path.startswith("/"):
        raise _bad(f"{path[:80]!r} is absolute or has a backslash or NUL")
    if len(path) >= 2 and path[1] == ":":
        raise _bad(f"{path[:80]!r} starts with a drive letter")
    if any(part in ("", ".", "..") for part in path.split("/")):
        raise _bad(f"{path[:80]!r} has an empty, '.' or '..' component")
    return path


def _check_entries(manifest: Manifest) -> None:
    if len(manifest.files) + len(manifest.folders) > MAX_ENTRIES:
        raise _bad(f"it lists more than {MAX_ENTRIES} entries")
    folders: set[str] = set()
    for folder in manifest.folders:
        folders.update(_parents(check_relative_path(folder)) | {folder})
    files: set[str] = set()
    for entry in manifest.files:
        check_relative_path(entry.path)
        if entry.path in files or entry.path in folders:
            raise _bad(f"{entry.path[:80]!r} is listed twice")
        if len(entry.sha256) != 32:
            raise _bad(f"{entry.path[:80]!r} has no SHA-256")
        files.add(entry.path)
        folders.update(_parents(entry.path))
    if files & folders:
        raise _bad(f"{sorted(files & folders)[0][:80]!r} is both a file and a folder")


def _parents(path: str) -> set[str]:
    parts = path.split("/")
    return {"/".join(parts[:i]) for i in range(1, len(parts))}
