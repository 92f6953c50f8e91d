"""SSH keys users register for their hosted repositories, published as ``authorized_keys``.

The database is the truth; the backup account's ``authorized_keys`` is rewritten from it
(atomically, every user's keys) after each change, and once at start-up, so a file edited or
lost by hand comes back as the database says. Without an ``authorized_keys`` setting the keys
are kept and nothing is written (``BackupHosting.ssh_ready``).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from syncoxide.errors import AlreadyExistsError, NotFoundError
from syncoxide.server.backups.hosted import (
    HostedKey,
    HostedRepositories,
    check_quota,
    parse_public_key,
)
from syncoxide.server.backups.store import BackupKey, BackupStore, KeyInUseError
from syncoxide.server.config import BackupHosting

MAX_KEYS_PER_USER = 50


class BackupKeys:
    def __init__(
        self,
        store: BackupStore,
        hosted: HostedRepositories,
        hosting: BackupHosting,
        clock: Callable[[], int],
    ) -> None:
        self.store = store
        self.hosted = hosted
        self.hosting = hosting
        self.clock = clock
        self._publishing = asyncio.Lock()

    async def add(
        self,
        user_id: int,
        public_key: str,
        *,
        label: str = "",
        append_only: bool = False,
        quota: str | None = None,
    ) -> BackupKey:
        key_text = parse_public_key(public_key)
        if len(await self.store.user_keys(user_id)) >= MAX_KEYS_PER_USER:
            raise AlreadyExistsError(f"You have {MAX_KEYS_PER_USER} keys; delete one first.")
        comment = public_key.strip().split(maxsplit=2)[2:]
        record = BackupKey(
            id=0,
            user_id=user_id,
            label=(label.strip() or (comment[0] if comment else "") or "SSH key")[:100],
            public_key=key_text,
            append_only=append_only,
            quota=check_quota(quota or None) or "",
            created_at=self.clock(),
        )
        try:
            added = await self.store.add_key(record)
        except KeyInUseError:
            raise AlreadyExistsError(
                "That SSH key is registered already.",
                hint="Each key reaches one account's repositories; make a new key for this one.",
            ) from None
        self.hosted.prepare_area(user_id)  # published or not, the key's area is there to use
        await self.publish()
        return added

    async def delete(self, user_id: int, key_id: int) -> None:
        if not await self.store.delete_key(user_id, key_id):
            raise NotFoundError(f"You have no backup key {key_id}.")
        await self.publish()

    async def publish(self) -> None:
        """Rewrite ``authorized_keys`` from every user's keys (nothing if not configured)."""
        path = self.hosting.authorized_keys
        if path is None:
            return
        async with self._publishing:
            keys = [
                HostedKey(k.user_id, k.id, k.public_key, k.append_only, k.quota or None)
                for k in await self.store.all_keys()
            ]
            self.hosted.write_authorized_keys(path, keys)
