"""Pair state, journal and remembered digests as files in a folder
(``<state dir>/pairs/<pair id>/``)."""

from __future__ import annotations

import fcntl
import os
from pathlib import Path

from syncoxide.errors import JournalError
from syncoxide.native.atomic_file import replace_file


class FilePairStore:
    def __init__(self, folder: Path) -> None:
        self.folder = folder
        folder.mkdir(parents=True, exist_ok=True)
        self._state = folder / "state.json"
        self._journal = folder / "journal.sxwal"
        self._digests = folder / "digests.json"
        self._journal_fd = -1
        self._lock_fd = -1

    async def load_state(self) -> bytes | None:
        return self._state.read_bytes() if self._state.exists() else None

    async def save_state(self, blob: bytes) -> None:
        replace_file(self._state, blob)

    async def load_journal(self) -> bytes | None:
        return self._journal.read_bytes() if self._journal.exists() else None

    async def start_journal(self, blob: bytes) -> None:
        replace_file(self._journal, blob)
        self._journal_fd = os.open(self._journal, os.O_WRONLY | os.O_APPEND)

    async def append_journal(self, blob: bytes, *, durable: bool) -> None:
        if self._journal_fd < 0:
            self._journal_fd = os.open(self._journal, os.O_WRONLY | os.O_APPEND)
        os.write(self._journal_fd, blob)
        if durable:
            os.fsync(self._journal_fd)

    async def clear_journal(self) -> None:
        if self._journal_fd >= 0:
            os.close(self._journal_fd)
            self._journal_fd = -1
        self._journal.unlink(missing_ok=True)

    async def load_digests(self) -> bytes | None:
        return self._digests.read_bytes() if self._digests.exists() else None

    async def save_digests(self, blob: bytes) -> None:
        replace_file(self._digests, blob, durable=False)  # lost: renames are copied once more

    def lock(self) -> None:
        """Hold the pair for this process (released when it exits, even by SIGKILL)."""
        fd = os.open(self.folder / "lock", os.O_WRONLY | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as error:
            os.close(fd)
            raise JournalError(
                "Another syncoxide run is working on this pair of folders.",
                hint="Nothing was changed. Wait for it to finish, then run again.",
            ) from error
        self._lock_fd = fd

    def unlock(self) -> None:
        if self._lock_fd >= 0:
            os.close(self._lock_fd)  # closing the descriptor drops the flock
            self._lock_fd = -1
