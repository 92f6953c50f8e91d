"""Which folders this device syncs with whom, and where it meets each peer.

    <config dir>/devices/folders.json  {"version": 1, "folders": {NAME: {"path": str,
                                        "with": [device id, ...], "mode": "send-receive",
                                        "id": str}}}
    <config dir>/devices/peers.json    {"version": 1, "peers": {device id: {"server": url,
                                        "room": id, "token": str}}}

A peer's room is made by the two devices while pairing and known only to them (the server
checks the token, a keyed hash of the room id, and keeps no list): each pair meets in its own.
Two devices that trust each other through an introduction keep their device room here too
(meetings.py).

A folder's ``id`` is made when it is added and written into the folder as its mark
(folder_mark.py): the folder's index only trusts a folder holding it. A folder added (or moved
to another path) starts a fresh index, and a removed one's index is forgotten, so removing and
adding a folder again starts afresh. Folders kept by earlier releases have no ``id``; the daemon
gives them one when it opens them (``keep_id``).
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from syncoxide.devices.device_id import normalise_device_id
from syncoxide.errors import ConfigError, NotFoundError, UsageError
from syncoxide.native.atomic_file import held_for_update, replace_file
from syncoxide.native.devices.index_file import IndexFile
from syncoxide.native.p2p.signal import RoomAddress

T = TypeVar("T")
MODES = ("send-receive", "send-only", "receive-only")
VERSION = 1


@dataclass(frozen=True)
class SharedFolder:
    name: str
    path: Path
    peers: tuple[str, ...]
    mode: str = "send-receive"
    folder_id: str | None = None  # its mark; None in a folder kept by an earlier release

    @property
    def sends(self) -> bool:
        return self.mode != "receive-only"

    @property
    def receives(self) -> bool:
        return self.mode != "send-only"


class FolderBook:
    FILE = "folders.json"

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def folders(self) -> dict[str, SharedFolder]:
        raw = self._load(self.FILE).get("folders", {})
        return {
            name: SharedFolder(
                name, Path(f["path"]), tuple(f["with"]), f.get("mode", MODES[0]), f.get("id")
            )
            for name, f in raw.items()
        }

    def index_path(self, name: str) -> Path:
        """Where the folder's index is kept (index_file.py)."""
        return self.folder / "index" / f"{name}.json"

    def add(self, name: str, path: Path, peers: list[str], mode: str) -> SharedFolder:
        if not name or "/" in name or name.startswith("."):
            raise UsageError(f"{name!r} cannot name a folder: use letters, digits, - or _.")
        if mode not in MODES:
            raise UsageError(f"The mode must be one of {', '.join(MODES)}.")
        path = path.expanduser().resolve()
        path.mkdir(parents=True, exist_ok=True)
        ids = sorted({normalise_device_id(peer) for peer in peers})

        def put(document: dict[str, Any]) -> SharedFolder:
            folders = document.setdefault("folders", {})
            kept = folders.get(name)
            same_place = kept is not None and kept.get("path") == str(path)
            folder_id = kept.get("id") if kept is not None and same_place else new_folder_id()
            if not same_place:
                # A new folder, or one moved: an index left by a folder of this name describes
                # another folder, and would be refused (its mark differs).
                IndexFile(self.index_path(name)).forget()
            folders[name] = {"path": str(path), "with": ids, "mode": mode}
            if folder_id is not None:
                folders[name]["id"] = folder_id
            return SharedFolder(name, path, tuple(ids), mode, folder_id)

        return self._update(self.FILE, put)

    def remove(self, name: str) -> None:
        """Stop syncing ``name`` and forget its index (its files stay): added again, it
        starts afresh, as a new folder."""

        def drop(document: dict[str, Any]) -> None:
            if name not in document.get("folders", {}):
                raise NotFoundError(f"No folder is named {name}.")
            del document["folders"][name]

        self._update(self.FILE, drop)
        IndexFile(self.index_path(name)).forget()

    def keep_id(self, name: str, path: Path, folder_id: str) -> bool:
        """Give a folder kept by an earlier release its id, if it is still kept at ``path``
        without one; whether it was given."""

        def give(document: dict[str, Any]) -> bool:
            kept = document.get("folders", {}).get(name)
            if kept is None or kept.get("path") != str(path) or "id" in kept:
                return False
            kept["id"] = folder_id
            return True

        return self._update(self.FILE, give)

    def stamp(self) -> tuple[int, int, int] | None:
        """What identifies this version of folders.json, for watching it cheaply (every save
        replaces the file by a rename, so the inode changes even within one mtime tick)."""
        try:
            facts = (self.folder / self.FILE).stat()
        except FileNotFoundError:
            return None
        return facts.st_ino, facts.st_mtime_ns, facts.st_size

    def meeting(self, peer_id: str) -> RoomAddress | None:
        found = self._load("peers.json").get("peers", {}).get(peer_id)
        return RoomAddress(found["server"], found["room"], found["token"]) if found else None

    def servers(self) -> list[str]:
        """Every server this device meets a peer through, in the order they were kept."""
        peers = self._load("peers.json").get("peers", {}).values()
        return list(dict.fromkeys(str(peer["server"]) for peer in peers))

    def remember_meeting(self, peer_id: str, address: RoomAddress) -> None:
        peer = {"server": address.server, "room": address.room, "token": address.token}

        def put(document: dict[str, Any]) -> None:
            document.setdefault("peers", {})[peer_id] = peer

        self._update("peers.json", put)

    def _load(self, name: str) -> dict[str, Any]:
        path = self.folder / name
        try:
            document: dict[str, Any] = json.loads(path.read_text())
        except FileNotFoundError:
            return {"version": VERSION}
        except ValueError:
            raise ConfigError(f"{path} is not valid JSON.", hint="Fix or restore it.") from None
        if document.get("version") != VERSION:
            raise ConfigError(f"{path} was written by another syncoxide version.")
        return document

    def _update(self, name: str, change: Callable[[dict[str, Any]], T]) -> T:
        """Change the document ``name`` with ``change`` (in place) and save it. Every writer
        (``devices folders``, pairing, the daemon giving an older folder its id) goes through
        here, under one lock: two at the same moment would otherwise each save what they
        read, and the last rename would drop the other's change. ``change`` raising saves
        nothing."""
        self.folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        path = self.folder / name
        with held_for_update(path):
            document = self._load(name)
            result = change(document)
            replace_file(path, json.dumps(document, indent=1).encode(), mode=0o600)
        return result


def new_folder_id() -> str:
    """A folder's id, unique to this adding of it (its mark: folder_mark.py)."""
    return uuid.uuid4().hex
