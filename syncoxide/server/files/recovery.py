"""Getting files back: old versions, the trash, and how long both are kept.

Restoring never loses what is there now: a file in the way becomes a version of its path
before the restored content takes its place ("restore over a newer file keeps the newer one").
Everything is checked before anything changes, so a refused restore leaves all as it was.
Retention (``syncoxide.catalog.retention``) runs for a user whenever their history is read or
grows, so what is past its time is gone before anyone sees it.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable

from syncoxide.catalog.retention import (
    Kept,
    RetentionPolicy,
    over_cap,
    trash_to_purge,
    versions_to_drop,
)
from syncoxide.errors import NotFoundError, UsageError
from syncoxide.server.files.changes import RESTORED, FileChange
from syncoxide.server.files.history import TRASH, VERSION, HistoryItem, HistoryStore
from syncoxide.server.files.names import checked_path
from syncoxide.server.files.service import FileService
from syncoxide.server.files.store import DIR, FILE, StoredEntry, parents_of


def _kept(item: HistoryItem) -> Kept:
    return Kept(item.id, item.kept_at, item.entry.size, item.keep_forever)


class FileRecovery:
    def __init__(
        self,
        files: FileService,
        history: HistoryStore,
        clock: Callable[[], int],
        policy: RetentionPolicy | None = None,
    ) -> None:
        self.files = files
        self.history = history
        self.clock = clock
        self.policy = policy or RetentionPolicy()

    # -- reading -------------------------------------------------------------------------

    async def versions(self, user_id: int, path: str) -> list[HistoryItem]:
        await self.apply_retention(user_id)
        return self.history.versions(user_id, checked_path(path))

    async def trashed(self, user_id: int) -> list[HistoryItem]:
        await self.apply_retention(user_id)
        return self.history.trashed(user_id)

    def _item(self, user_id: int, item_id: int, state: str) -> HistoryItem:
        item = self.history.get(user_id, item_id)
        if item is None or item.state != state or (state == TRASH and item.batch != item.id):
            what = "version" if state == VERSION else "item in your trash"
            raise NotFoundError(
                f"There is no {what} {item_id}.",
                hint="List them again: it may have been restored or passed its retention.",
            )
        return item

    def keep_forever(self, user_id: int, item_id: int, keep: bool) -> None:
        if not self.history.set_keep_forever(user_id, item_id, keep):
            raise NotFoundError(f"There is no version or trashed item {item_id}.")

    # -- restoring -----------------------------------------------------------------------

    async def restore_version(self, user_id: int, version_id: int) -> StoredEntry:
        item = self._item(user_id, version_id, VERSION)
        self.files.check_api_write(user_id, item.entry.path)  # only people ask for this
        self.files.check_writable(user_id, item.entry.path)
        with self.files.changes.recording() as taken:  # history and files share one handle
            self._put_back(user_id, item.entry)
            self.history.forget(user_id, [item.id])
        restored = FileChange(user_id, RESTORED, item.entry.path, item.entry.path)
        self.files.changes.tell(restored, taken)
        return item.entry

    async def restore_trashed(
        self, user_id: int, item_id: int, target: str | None = None
    ) -> StoredEntry:
        """Put a deleted file or folder (with all inside) back where it was, or at ``target``."""
        chosen = checked_path(target) if target else ""
        top = self._item(user_id, item_id, TRASH)
        destination = chosen or top.entry.path
        self.files.check_api_write(user_id, destination)  # only people ask for this
        placed = [
            (item, destination + item.entry.path[len(top.entry.path) :])
            for item in self.history.batch(user_id, item_id)
        ]
        for item, path in placed:  # everything checked before anything changes
            self._check_room_for(user_id, item.entry, path)
        with self.files.changes.recording() as taken:
            for item, path in placed:
                moved = StoredEntry(path, *_fields_after_path(item.entry))
                if moved.kind == DIR:
                    self.files.store.make_folders(user_id, [*parents_of(path), path])
                else:
                    self._put_back(user_id, moved)
            self.history.forget(user_id, [item.id for item, _ in placed])
        self.files.changes.tell(FileChange(user_id, RESTORED, destination), taken)
        return StoredEntry(destination, *_fields_after_path(top.entry))

    def _check_room_for(self, user_id: int, entry: StoredEntry, path: str) -> None:
        found = self.files.store.get(user_id, path)
        if entry.kind == DIR and found is not None and found.kind != DIR:
            raise UsageError(
                f"{path!r} is a file now, so the folder cannot be restored there.",
                hint="Nothing was changed. Restore it to another path (--to).",
            )
        if entry.kind == FILE:
            self.files.check_writable(user_id, path)

    def _put_back(self, user_id: int, entry: StoredEntry) -> None:
        """Make ``entry`` (a history row's blob) the live file; a file there becomes a version."""
        current = self.files.store.get(user_id, entry.path)
        if current is not None and current.kind == FILE:
            self.history.keep_version(user_id, current, self.clock())
        self.files.store.put_file(user_id, entry)  # the blob it replaces is the version's now

    async def delete_forever(self, user_id: int, item_id: int) -> None:
        """Empty one item (a folder with all inside) out of the trash: this cannot be undone."""
        top = self._item(user_id, item_id, TRASH)
        await self._drop(user_id, self.history.batch(user_id, top.id))

    async def _drop(self, user_id: int, gone: list[HistoryItem]) -> None:
        self.history.forget(user_id, [i.id for i in gone])
        for item in gone:
            if item.entry.kind == FILE:
                await self.files.blobs.delete(item.entry.blob_key)

    # -- retention -----------------------------------------------------------------------

    async def apply_retention(self, user_id: int) -> int:
        """Drop what retention says is past its time; the number of rows dropped."""
        now = self.clock()
        items = self.history.all_of(user_id)
        dropped = self._expired(items, now)
        cap = self._cap_bytes()
        if cap is not None:
            remaining = [_kept(i) for i in items if i.id not in dropped and i.entry.kind == FILE]
            dropped |= over_cap(remaining, cap)
        by_batch = {i.batch for i in items if i.id in dropped and i.state == TRASH}
        dropped |= {i.id for i in items if i.state == TRASH and i.batch in by_batch}
        gone = [i for i in items if i.id in dropped]
        await self._drop(user_id, gone)
        return len(gone)

    def _expired(self, items: list[HistoryItem], now: int) -> set[int]:
        versions: defaultdict[str, list[Kept]] = defaultdict(list)
        for item in items:
            if item.state == VERSION:
                versions[item.entry.path].append(_kept(item))
        dropped: set[int] = set()
        for kept in versions.values():
            dropped |= versions_to_drop(kept, now, self.policy)
        tops = [_kept(i) for i in items if i.state == TRASH and i.batch == i.id]
        return dropped | trash_to_purge(tops, now, self.policy)

    def _cap_bytes(self) -> int | None:
        quota = self.files.quota.limit_bytes
        return None if quota is None else int(quota * self.policy.quota_share)


def _fields_after_path(entry: StoredEntry) -> tuple[str, int, int, str, str, str]:
    return (entry.kind, entry.size, entry.mtime_ns, entry.sha1, entry.sha256, entry.blob_key)
