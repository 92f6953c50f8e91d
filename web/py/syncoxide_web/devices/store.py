"""This browser's device identity and trust records, kept in IndexedDB.

The browser counterpart of ``syncoxide/native/devices/store.py`` (the CLI's config folder),
one JSON document under one key, so a change is one IndexedDB ``put`` (atomic), made under a
Web Lock so two tabs never overwrite each other's records::

    {"version": 1, "seed": "<base64 of the 32-byte Ed25519 seed>", "name": "Chromium on Linux",
     "records": ["<base64 of one trust record>", ...],
     "meetings": {"<device id>": {"server": URL, "room": ..., "token": ...}},
     "folders": {"<folder name, as the other devices name it>": {"browser_folder": "<name of
                 a browser folder (OPFS)>" | "picked_folder": "<name of a folder picked on
                 disk (its handle: picked_folder.py)>", "with": ["<device id>", ...]}}}

The seed is made on first use but kept only with the first trust record this browser signs (a
pairing the user agreed to), so a refused pairing stores nothing; it is never rewritten.
Clearing the site's data forgets the identity, as deleting ``device.key`` does on the CLI: the
other devices then see a new device.
"""

from __future__ import annotations

import base64
import json
import os
import time
from dataclasses import replace
from typing import Any

import js

from syncoxide.crypto.keys import SecretBytes
from syncoxide.devices.device_id import device_id
from syncoxide.devices.records import MAX_NAME_BYTES, TrustRecord, parse_record, sign_record
from syncoxide.devices.signing import SEED_SIZE, Identity
from syncoxide.devices.trust import TrustLedger
from syncoxide.errors import (
    ConfigError,
    FormatError,
    IntegrityError,
    InvalidInputError,
    RecordRefusedError,
)
from syncoxide_web.devices.ed25519 import WebEd25519
from syncoxide_web.platform.indexed_db import finished, object_store
from syncoxide_web.platform.web_lock import exclusive

DATABASE = "syncoxide-devices"
STORE = "device"
KEY = "this-device"
#: Held (across the origin's tabs) around every read-modify-write of the document.
LOCK = "syncoxide-devices"
FORMAT_VERSION = 1


async def _object_store(mode: str) -> Any:
    return await object_store(DATABASE, STORE, mode)


def browser_name() -> str:
    """A default name the user recognises, like "Chrome on Linux" (renamed in the view)."""
    agent = str(js.navigator.userAgent)
    browser = next((b for b in ("Firefox", "Edg", "Chrome", "Safari") if b in agent), "Browser")
    system = next((s for s in ("Android", "iPhone", "Windows", "Mac", "Linux") if s in agent), "")
    label = {"Edg": "Edge"}.get(browser, browser)
    return f"{label} on {system}" if system else label


class BrowserDeviceStore:
    def __init__(self) -> None:
        self.ed25519 = WebEd25519()
        self._unsaved: dict[str, Any] = {}  # a fresh identity, until its first record

    async def has_identity(self) -> bool:
        return "seed" in await self._stored()

    async def identity(self) -> Identity:
        """This browser's key pair, made on first use."""
        document = await self._document()
        if "seed" not in document:
            seed_text = base64.b64encode(os.urandom(SEED_SIZE)).decode()
            self._unsaved = {"version": FORMAT_VERSION, "seed": seed_text, "name": browser_name(),
                             "records": [], "meetings": {}}  # fmt: skip
            document = self._unsaved
        seed = base64.b64decode(str(document["seed"]))
        if len(seed) != SEED_SIZE:
            raise ConfigError(
                "This browser's device key is damaged.",
                hint="Clear the site's data to make a new device identity.",
            )
        private = SecretBytes(seed)
        return Identity(private, await self.ed25519.public_key(private), str(document["name"]))

    async def name(self) -> str:
        """The name peers are told when pairing (kept or, before any pairing, the default)."""
        return str((await self._document()).get("name") or browser_name())

    async def rename(self, name: str) -> None:
        """Rename this device (making and keeping its identity if it had none yet)."""
        name = name.strip()
        if not name or len(name.encode()) > MAX_NAME_BYTES:
            raise InvalidInputError(f"A device name has 1 to {MAX_NAME_BYTES} bytes.")
        async with exclusive(LOCK):
            await self.identity()
            await self._write({**await self._document(), "name": name})

    async def ledger(self) -> TrustLedger:
        identity = await self.identity()
        return TrustLedger(identity.public, _records(await self._document()))

    async def take(self, raws: list[bytes]) -> tuple[int, list[RecordRefusedError]]:
        """Check and keep records from a peer; how many were new, and what was refused."""
        async with exclusive(LOCK):
            ledger = await self.ledger()
            refused: list[RecordRefusedError] = []
            added = 0
            for raw in raws:
                try:
                    added += await ledger.take(raw, self.ed25519)
                except RecordRefusedError as error:
                    refused.append(error)
            if added:
                await self._save(ledger)
        return added, refused

    async def sign_and_keep(self, unsigned: TrustRecord) -> TrustRecord:
        async with exclusive(LOCK):
            identity = await self.identity()
            if identity.public != unsigned.signer:  # another tab kept its fresh identity first
                raise ConfigError(
                    "Another tab of this app made this browser a device meanwhile.",
                    hint="Reload the page and pair again; nothing was signed.",
                )
            ledger = await self.ledger()
            fresh = replace(unsigned, sequence=ledger.next_sequence())  # the lock's view wins
            record = await sign_record(fresh, identity.private, self.ed25519)
            ledger.admit(record)
            await self._save(ledger)
        return record

    async def remember_meeting(self, peer_id: str, meeting: dict[str, str]) -> None:
        """The pair's own room, where the two meet to sync (``devices run`` on the CLI)."""
        async with exclusive(LOCK):
            document = await self._document()
            meetings = {**dict(document.get("meetings", {})), peer_id: meeting}
            await self._write({**document, "meetings": meetings})

    async def meetings(self) -> dict[str, Any]:
        return dict((await self._document()).get("meetings", {}))

    async def share_folder(self, name: str, peer_id: str, place: dict[str, str]) -> None:
        """Sync the folder at ``place`` as ``name`` with ``peer_id`` (the name its ``syncoxide
        devices folders add NAME PATH --with ID`` gave the same folder). ``place`` is
        ``{"browser_folder": <OPFS folder name>}`` or ``{"picked_folder": <the picked folder's
        name>}`` (its handle is kept by ``picked_folder.py`` under ``name``)."""
        _check_folder_name(name, "A shared folder's name")
        if "browser_folder" in place:
            _check_folder_name(place["browser_folder"], "A browser folder's name")
        async with exclusive(LOCK):
            if peer_id not in {device_id(key) for key in (await self.ledger()).trusted()}:
                raise InvalidInputError(
                    f"This browser does not trust {peer_id}.",
                    hint="Pair with that device, or accept a suggestion to add it, first.",
                )
            document = await self._document()
            folders = dict(document.get("folders", {}))
            known = dict(folders.get(name, {}))
            if known and place_label(known) != place_label(place):
                raise InvalidInputError(
                    f"{name} is already synced with {place_label(known)}.",
                    hint="Share it with the same folder, or pick another name.",
                )
            peers = sorted({*known.get("with", []), peer_id})
            folders[name] = {**place, "with": peers}
            await self._write({**document, "folders": folders})

    async def shared_folders(self) -> dict[str, dict[str, Any]]:
        """Folder name -> {"browser_folder" or "picked_folder": ..., "with": [device id, ...]}."""
        return {str(k): dict(v) for k, v in (await self._document()).get("folders", {}).items()}

    async def _save(self, ledger: TrustLedger) -> None:
        document = await self._document()
        raws = [base64.b64encode(r.to_bytes()).decode() for r in ledger.records()]
        await self._write({**document, "records": raws})

    async def _document(self) -> dict[str, Any]:
        return await self._stored() or dict(self._unsaved)

    async def _stored(self) -> dict[str, Any]:
        found = await finished((await _object_store("readonly")).get(KEY))
        if found is None:
            return {}
        document = json.loads(str(found))
        if not isinstance(document, dict) or document.get("version") != FORMAT_VERSION:
            raise ConfigError("This browser's device was saved by another syncoxide version.")
        return document

    async def _write(self, document: dict[str, Any]) -> None:
        await finished((await _object_store("readwrite")).put(json.dumps(document), KEY))


def _records(document: dict[str, Any]) -> list[TrustRecord]:
    try:
        return [parse_record(base64.b64decode(raw)) for raw in document.get("records", [])]
    except (ValueError, FormatError, IntegrityError) as error:
        raise ConfigError(f"This browser holds a damaged trust record: {error}",
                          hint="Nothing was changed.") from None  # fmt: skip


def place_label(config: dict[str, Any]) -> str:
    """Where a shared folder is kept, as the user knows it."""
    if "picked_folder" in config:
        return f"the folder “{config['picked_folder']}” on this computer"
    return f"the browser folder {config.get('browser_folder', '')}"


def _check_folder_name(name: str, what: str) -> None:
    if not name or "/" in name or name.startswith(".") or len(name.encode()) > MAX_NAME_BYTES:
        raise InvalidInputError(
            f"{what} cannot be {name!r}: use letters, digits, - or _, not starting with a dot."
        )


def now() -> int:
    return int(time.time())
