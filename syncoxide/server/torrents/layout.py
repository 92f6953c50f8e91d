"""Where each shared file sits in a share's torrent, and the web seed address that serves it.

A one-file share is a single-file torrent named after the file; its web seed is that file's
own URL. Anything else is a multi-file torrent: its name is the folder every file sits in
(a shared folder), else the share's title, and its web seed is a base URL ending in ``/`` to
which clients append ``<name>/<path>`` (BEP 19). The layout is derived from the stored rows
alone, so the web seed route finds a file without reading the cached torrent.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass

from syncoxide.safe_names import safe_name
from syncoxide.server.links.store import Link, LinkFile

_FALLBACK_NAME = "share"


@dataclass(frozen=True)
class TorrentLayout:
    name: str
    single: bool
    by_path: dict[str, LinkFile]  # path inside the torrent, ``name`` first -> the stored file

    @classmethod
    def of(cls, link: Link, files: Sequence[LinkFile]) -> TorrentLayout | None:
        """The layout, or None when there are no bytes to offer (no files, or all empty)."""
        if not any(f.size for f in files):
            return None
        if len(files) == 1:
            only = files[0]
            name = only.path.rsplit("/", 1)[-1]
            return cls(name, single=True, by_path={name: only})
        top = _common_folder(files)
        if top:
            return cls(top, single=False, by_path={f.path: f for f in files})
        name = safe_name(link.title.replace("/", "_")) or _FALLBACK_NAME
        return cls(name, single=False, by_path={f"{name}/{f.path}": f for f in files})

    def file_at(self, torrent_path: str) -> LinkFile | None:
        return self.by_path.get(torrent_path)

    @property
    def total_size(self) -> int:
        return sum(f.size for f in self.by_path.values())

    @property
    def seed_suffix(self) -> str:
        """What follows the web seed's base: a single file's own name, else nothing (the
        client appends ``<name>/<path>`` itself)."""
        return self.name if self.single else ""

    @property
    def fingerprint(self) -> str:
        """Changes whenever the torrent's bytes would: names, sizes, contents."""
        lines = sorted(f"{path}\0{f.size}\0{f.sha256}" for path, f in self.by_path.items())
        return hashlib.sha256("\n".join([self.name, *lines]).encode()).hexdigest()[:32]


def _common_folder(files: Sequence[LinkFile]) -> str:
    """The first path segment every file shares (a shared folder's name), or ``""``."""
    tops = {f.path.split("/", 1)[0] for f in files}
    if len(tops) == 1 and all("/" in f.path for f in files):
        return tops.pop()
    return ""
