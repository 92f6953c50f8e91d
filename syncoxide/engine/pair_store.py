"""Where a pair keeps its bisync state, its journal and its destination's remembered digests
(a folder natively, the origin-private file system in the browser)."""

from __future__ import annotations

from typing import Protocol


class PairStore(Protocol):
    async def load_state(self) -> bytes | None: ...

    async def save_state(self, blob: bytes) -> None:
        """Replace the state atomically and durably."""
        ...

    async def load_journal(self) -> bytes | None: ...

    async def start_journal(self, blob: bytes) -> None:
        """Replace the journal with ``blob`` and make it durable before returning."""
        ...

    async def append_journal(self, blob: bytes, *, durable: bool) -> None:
        """Append; ``durable`` waits for stable storage, otherwise the OS may still hold it
        (enough against a killed process, and a lost DONE mark only means a re-check)."""
        ...

    async def clear_journal(self) -> None: ...

    async def load_digests(self) -> bytes | None:
        """The destination's remembered digests (``syncoxide.sync.digest_cache``)."""
        ...

    async def save_digests(self, blob: bytes) -> None:
        """Replace them; a loss costs only speed, so this need not wait for the disk."""
        ...


class MemoryPairStore:
    """A PairStore in memory, for tests and for the browser before IndexedDB is wired."""

    def __init__(self) -> None:
        self.state: bytes | None = None
        self.journal: bytes | None = None
        self.digests: bytes | None = None

    async def load_state(self) -> bytes | None:
        return self.state

    async def save_state(self, blob: bytes) -> None:
        self.state = blob

    async def load_journal(self) -> bytes | None:
        return self.journal

    async def start_journal(self, blob: bytes) -> None:
        self.journal = blob

    async def append_journal(self, blob: bytes, *, durable: bool) -> None:
        self.journal = (self.journal or b"") + blob

    async def clear_journal(self) -> None:
        self.journal = None

    async def load_digests(self) -> bytes | None:
        return self.digests

    async def save_digests(self, blob: bytes) -> None:
        self.digests = blob
