"""This device's identity and trust records, kept in ``<config dir>/devices/``.

    device.key     the 32-byte Ed25519 seed, mode 0600, created once (never rewritten)
    device.json    {"version": 1, "name": "laptop"}
    trust.json     {"version": 1, "records": ["<base64 of one trust record>", ...]}

``SYNCOXIDE_CONFIG_DIR`` moves the whole folder, so several devices can live on one machine.
Every change to the records happens under an exclusive ``flock`` on ``lock`` and is written
to a temporary file, fsynced and renamed into place, so the daemon and a CLI command that
both add records never lose one, and a crash leaves either the old list or the new one.
That lock predates ``atomic_file.held_for_update`` (folders.json, peers.json) and does the
same; it stays on ``lock`` because a daemon still running the previous release takes that
file, and a CLI taking ``.trust.json.lock`` beside it would not wait for it during an upgrade.
"""

from __future__ import annotations

import base64
import contextlib
import fcntl
import json
import os
import socket
import time
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

from syncoxide.crypto.keys import SecretBytes
from syncoxide.devices.records import TrustRecord, parse_record, sign_record
from syncoxide.devices.signing import SEED_SIZE, Identity
from syncoxide.devices.trust import TrustLedger
from syncoxide.errors import ConfigError, FormatError, IntegrityError, RecordRefusedError
from syncoxide.native.atomic_file import replace_file
from syncoxide.native.devices.ed25519 import NativeEd25519
from syncoxide.native.remotes.store import config_dir

FORMAT_VERSION = 1
TRUST_FILE = "trust.json"


class DeviceStore:
    def __init__(self, folder: Path | None = None) -> None:
        self.folder = folder or config_dir() / "devices"
        self.ed25519 = NativeEd25519()

    async def identity(self) -> Identity:
        """This device's key pair, made on first use."""
        seed = self._seed()
        public = await self.ed25519.public_key(seed)
        name = self._document("device.json").get("name")
        return Identity(seed, public, str(name) if name else _host_name())

    def rename(self, name: str) -> None:
        self._write_json("device.json", {"version": FORMAT_VERSION, "name": name})

    def _seed(self) -> SecretBytes:
        path = self.folder / "device.key"
        if not path.exists():
            self.folder.mkdir(parents=True, exist_ok=True, mode=0o700)
            with contextlib.suppress(FileExistsError):  # another process made it first
                descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
                with os.fdopen(descriptor, "wb") as handle:
                    handle.write(os.urandom(SEED_SIZE))
                    handle.flush()
                    os.fsync(handle.fileno())
        seed = path.read_bytes()
        if len(seed) != SEED_SIZE:
            raise ConfigError(
                f"{path} is damaged ({len(seed)} bytes, not {SEED_SIZE}).",
                hint="Restore it from a backup; removing it gives this device a new identity.",
            )
        return SecretBytes(seed)

    @contextlib.contextmanager
    def _locked(self) -> Iterator[None]:
        self.folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        with Path(self.folder / "lock").open("a") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            yield

    async def ledger(self) -> TrustLedger:
        identity = await self.identity()
        with self._locked():
            return TrustLedger(identity.public, self._records())

    async def take(self, raws: list[bytes]) -> tuple[int, list[RecordRefusedError]]:
        """Check and keep records from a peer; how many were new, and what was refused."""
        identity = await self.identity()
        refused: list[RecordRefusedError] = []
        with self._locked():
            ledger = TrustLedger(identity.public, self._records())
            added = 0
            for raw in raws:
                try:
                    added += await ledger.take(raw, self.ed25519)
                except RecordRefusedError as error:
                    refused.append(error)
            if added:
                self._save(ledger)
        return added, refused

    async def sign_and_keep(self, unsigned: TrustRecord) -> TrustRecord:
        identity = await self.identity()
        with self._locked():
            ledger = TrustLedger(identity.public, self._records())
            fresh = replace(unsigned, sequence=ledger.next_sequence())  # the lock's view wins
            record = await sign_record(fresh, identity.private, self.ed25519)
            ledger.admit(record)
            self._save(ledger)
        return record

    def trust_stamp(self) -> tuple[int, int, int] | None:
        """What identifies this version of the trust file on disk, for watching it cheaply.

        Every save replaces the file by a rename, so the inode changes even when two saves fall
        within the file system's time resolution.
        """
        try:
            facts = (self.folder / TRUST_FILE).stat()
        except FileNotFoundError:
            return None
        return facts.st_ino, facts.st_mtime_ns, facts.st_size

    def _records(self) -> list[TrustRecord]:
        raws = self._document(TRUST_FILE).get("records", [])
        try:
            return [parse_record(base64.b64decode(raw)) for raw in raws]  # type: ignore[attr-defined]
        except (ValueError, FormatError, IntegrityError) as error:
            raise ConfigError(
                f"{self.folder / 'trust.json'} holds a damaged record: {error}",
                hint="Restore it from a backup; nothing was changed.",
            ) from None

    def _save(self, ledger: TrustLedger) -> None:
        raws = [base64.b64encode(r.to_bytes()).decode() for r in ledger.records()]
        self._write_json(TRUST_FILE, {"version": FORMAT_VERSION, "records": raws})

    def _document(self, name: str) -> dict[str, object]:
        path = self.folder / name
        try:
            document = json.loads(path.read_text())
        except FileNotFoundError:
            return {}
        except ValueError:
            raise ConfigError(f"{path} is not valid JSON.", hint="Fix or restore it.") from None
        if not isinstance(document, dict) or document.get("version") != FORMAT_VERSION:
            raise ConfigError(f"{path} was written by another syncoxide version.")
        return document

    def _write_json(self, name: str, document: dict[str, object]) -> None:
        self.folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        replace_file(self.folder / name, json.dumps(document, indent=1).encode())


def _host_name() -> str:
    return socket.gethostname()[:64] or "device"


def now() -> int:
    return int(time.time())
