"""Transfers this browser is sending, remembered in localStorage so a reopened page resumes them.

A record holds the room (id, token, short code, link), the manifest (paths, sizes, SHA-256)
and the server copy's share, if any. File contents cannot be kept across a reload, so the user
picks the same files again; ``mismatch`` then says whether they are the same bytes (the
manifest's hashes decide, so a changed file is caught before anything is sent).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import js

from syncoxide.errors import SyncoxideError
from syncoxide.protocol.manifest import Manifest

PREFIX = "syncoxide.outgoing."


@dataclass
class OutgoingTransfer:
    room: dict[str, Any]
    manifest: Manifest
    share: dict[str, Any] | None = None
    share_complete: bool = False

    @property
    def room_id(self) -> str:
        return str(self.room["room"])

    @property
    def title(self) -> str:
        names = sorted({entry.path.split("/")[0] for entry in self.manifest.files})
        shown = ", ".join(names[:3]) + (f" and {len(names) - 3} more" if len(names) > 3 else "")
        return shown or "nothing"

    def save(self) -> None:
        record = {
            "room": self.room,
            "manifest": self.manifest.to_json().decode(),
            "share": self.share,
            "share_complete": self.share_complete,
        }
        js.localStorage.setItem(PREFIX + self.room_id, json.dumps(record))

    def forget(self) -> None:
        js.localStorage.removeItem(PREFIX + self.room_id)

    def mismatch(self, picked: Manifest) -> str | None:
        """Why ``picked`` is not what this transfer sends, or None when it is."""
        if picked == self.manifest:
            return None
        ours = {entry.path: entry for entry in self.manifest.files}
        theirs = {entry.path: entry for entry in picked.files}
        for path in sorted(ours.keys() | theirs.keys()):
            if path not in theirs:
                return f"{path} is missing from what you picked."
            if path not in ours:
                return f"{path} was not part of this transfer."
            if ours[path] != theirs[path]:
                return f"{path} is not the same file any more (its size or content changed)."
        return "The folders differ from the ones first sent."


def unfinished() -> list[OutgoingTransfer]:
    """Every remembered transfer; unreadable records are dropped, never shown half-read."""
    found = []
    storage = js.localStorage
    keys = [str(storage.key(i)) for i in range(int(storage.length))]
    for key in keys:
        if not key.startswith(PREFIX):
            continue
        try:
            record = json.loads(str(storage.getItem(key)))
            manifest = Manifest.from_json(record["manifest"].encode())
            share, complete = record.get("share"), bool(record.get("share_complete"))
            found.append(OutgoingTransfer(record["room"], manifest, share, complete))
        except (SyncoxideError, ValueError, KeyError, TypeError, AttributeError):
            storage.removeItem(key)
    return found
