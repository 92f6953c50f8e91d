"""Restores of an archive into a provider connection, run by the server with no client on.

How one goes: the archive's listing gives the totals (files and bytes) before anything moves;
then ``borg export-tar --progress`` streams the files into the provider (nothing staged on
disk, :func:`~.archives.restore_into`) while a follower task writes how far it is into the
database every ``progress_seconds`` and announces it as ``backup.restore.progress`` every
``event_seconds``. Bytes come from borg's own ``--log-json`` progress count, files from the
provider writes that finished.

Stopping one: a cancel is a flag in the database, so whichever instance runs the restore
sees it at its next progress write; the task is also cancelled at once, on this instance or,
with a bus, on the one running it (scheduling/cancel_relay.py).
A provider write is atomic, so a cancelled or cut restore leaves whole files only. A server
stopped mid-way marks the restore interrupted (at once on a clean stop; at the next start,
or by another instance when the lease lapses, after a kill); any finished restore that did
not end well can be started again as a new restore with the same request, which first drops
the partial writes (``.sxpart-*``) a killed one left in its folder, as a sync run does.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Coroutine
from dataclasses import dataclass, field, replace
from typing import Any, Protocol

from syncoxide.backup.names import check_archive_name
from syncoxide.engine.listing_io import remove_partials
from syncoxide.errors import NotFoundError, SyncoxideError, UsageError
from syncoxide.native.backup.repository import BorgRepository
from syncoxide.providers.contract import Entry, EntryKind, Provider
from syncoxide.server.backups.archives import (
    RestoreTally,
    clean_archive_path,
    count_restore,
    restore_into,
)
from syncoxide.server.backups.repositories import BackupRepositories
from syncoxide.server.backups.store import BackupRestore, BackupStore
from syncoxide.server.events.service import Notifier
from syncoxide.server.rules.connections import Connections, close_provider
from syncoxide.server.rules.service import clean_path
from syncoxide.server.rules.store import Connection
from syncoxide.units import counted, format_bytes

log = logging.getLogger("syncoxide.server.backups")
#: The kinds of the events a restore announces: started, progress, finished.
RESTORE_EVENT_PREFIX = "backup.restore."
#: Statuses a restore can be started again from.
RESTARTABLE = frozenset({"interrupted", "failed", "cancelled"})


class BackgroundWork(Protocol):
    """Where restores run: the rule scheduler's background tasks, under a lease per job."""

    def background(self, work: Coroutine[Any, Any, object], job: str | None = None) -> None: ...


@dataclass(frozen=True)
class RestoreRequest:
    repository_id: int
    archive: str
    path: str  # inside the archive, "" for all of it
    connection_id: int
    dest_path: str


@dataclass(frozen=True)
class RestorePace:
    #: How often a running restore writes its progress (and reads a cancel asked elsewhere).
    progress_seconds: float = 1.0
    #: How often it announces its progress on the live events (each event is stored).
    event_seconds: float = 2.0


@dataclass
class _RestoreJob:
    """One restore as it runs: what it reads, where it writes, how far it is."""

    restore: BackupRestore
    borg: BorgRepository
    connection: Connection
    again: bool  # started anew: drop partial writes a killed run left first
    tally: RestoreTally = field(default_factory=RestoreTally)


class BackupRestores:
    def __init__(
        self,
        *,
        store: BackupStore,
        repositories: BackupRepositories,
        connections: Connections,
        notifier: Notifier,
        clock: Callable[[], int],
        scheduler: BackgroundWork,
        pace: RestorePace = RestorePace(),
    ) -> None:
        self.store = store
        self.repositories = repositories
        self.connections = connections
        self.notifier = notifier
        self.clock = clock
        self.scheduler = scheduler
        self.pace = pace
        self._running: dict[int, asyncio.Task[object]] = {}
        self._cancelled: set[int] = set()
        #: Tells the other instances to stop a restore this one does not run (set by the app
        #: when a bus joins instances: scheduling/cancel_relay.py).
        self.stop_elsewhere: Callable[[int], None] = lambda _restore_id: None

    async def get(self, user_id: int, restore_id: int) -> BackupRestore:
        found = await self.store.restore(user_id, restore_id)
        if found is None:
            raise NotFoundError(f"You have no restore {restore_id}.")
        return found

    async def start(
        self, user_id: int, request: RestoreRequest, *, again: bool = False
    ) -> BackupRestore:
        """File the restore and run it in the background; ``again``: a restore started anew
        first drops the partial writes (``.sxpart-*``) a killed one left in its folder."""
        repository = await self.repositories.get(user_id, request.repository_id)
        borg = await self.repositories.open(repository)
        connection = await self._connection(user_id, request.connection_id)
        restore = await self.store.add_restore(
            BackupRestore(
                id=0,
                user_id=user_id,
                repository_id=repository.id,
                archive=check_archive_name(request.archive),
                path=clean_archive_path(request.path),
                connection_id=connection.id,
                dest_path=clean_path(request.dest_path),
                status="running",
                files=0,
                bytes=0,
                message="",
                started_at=self.clock(),
                finished_at=None,
            )
        )
        await self._emit(restore, RESTORE_EVENT_PREFIX + "started")
        work = self._run(restore, borg, connection, again)
        self.scheduler.background(work, job=f"restore:{restore.id}")
        return restore

    async def restart(self, user_id: int, restore_id: int) -> BackupRestore:
        """The same restore again, as a new one (files written the first time are replaced)."""
        old = await self.get(user_id, restore_id)
        if old.status not in RESTARTABLE:
            raise UsageError(
                f"This restore is {old.status}; only an interrupted, failed or cancelled "
                "restore can be started again."
            )
        request = RestoreRequest(
            old.repository_id, old.archive, old.path, old.connection_id, old.dest_path
        )
        return await self.start(user_id, request, again=True)

    async def cancel(self, user_id: int, restore_id: int) -> BackupRestore:
        restore = await self.get(user_id, restore_id)
        if not await self.store.request_cancel(user_id, restore_id):
            raise UsageError(f"This restore is {restore.status} already; nothing to cancel.")
        if not self.stop_here(restore_id):  # stopped now, not at the next progress write
            self.stop_elsewhere(restore_id)
        return replace(restore, cancel_requested=True)

    def stop_here(self, restore_id: int) -> bool:
        """Cancel the restore if it runs in this process; whether it did."""
        task = self._running.get(restore_id)
        if task is None:
            return False
        self._cancelled.add(restore_id)
        task.cancel()
        return True

    async def _connection(self, user_id: int, connection_id: int) -> Connection:
        found = await self.connections.store.connection(user_id, connection_id)
        if found is None:
            raise NotFoundError(f"You have no connection {connection_id}.")
        return found

    async def _run(
        self, restore: BackupRestore, borg: BorgRepository, connection: Connection, again: bool
    ) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._running[restore.id] = task
        job = _RestoreJob(restore, borg, connection, again)
        tally = job.tally
        follower = asyncio.create_task(self._follow(restore, tally, task))
        try:
            status, message = await self._outcome(job)
        except asyncio.CancelledError:
            if restore.id not in self._cancelled:  # the server is stopping
                await self._finish(restore, tally, "interrupted", _cut_message(tally))
                raise
            task.uncancel()
            status, message = "cancelled", _cancelled_message(tally)
        finally:
            follower.cancel()
            self._running.pop(restore.id, None)
            self._cancelled.discard(restore.id)
        await self._finish(restore, tally, status, message)

    async def _outcome(self, job: _RestoreJob) -> tuple[str, str]:
        restore, tally = job.restore, job.tally
        try:
            await count_restore(job.borg, restore.archive, restore.path, tally)
            await self.store.save_restore_progress(_with(restore, tally))  # totals, at once
            await self._write_into(job)
        except SyncoxideError as error:
            return "failed", f"{error} ({counted(tally.files, 'file')} restored first.)"
        except Exception as error:  # a bug: recorded, and the server keeps going
            log.exception("restore %d failed unexpectedly", restore.id)
            return "failed", f"Internal error ({type(error).__name__})."
        done = f"{counted(tally.files, 'file')} ({format_bytes(tally.bytes)})"
        return "ok", f"{done} restored into {job.connection.name}."

    async def _write_into(self, job: _RestoreJob) -> None:
        restore = job.restore
        if restore.dest_path:
            root = self.connections.provider(job.connection, "")
            try:
                await root.mkdir(restore.dest_path)
            finally:
                await close_provider(root)
        provider = self.connections.provider(job.connection, restore.dest_path)
        try:
            if job.again:
                await remove_partials(provider, await _partials(provider))
            await restore_into(
                job.borg, restore.archive, restore.path, provider=provider, tally=job.tally
            )
        finally:
            await close_provider(provider)

    async def _follow(
        self, restore: BackupRestore, tally: RestoreTally, work: asyncio.Task[object]
    ) -> None:
        """Write the progress, announce it, and stop the work if a cancel was asked."""
        announced: tuple[int, int, int] | None = None
        last_event = 0.0
        loop = asyncio.get_running_loop()
        while True:
            await asyncio.sleep(self.pace.progress_seconds)
            now = _with(restore, tally)
            if not await self.store.save_restore_progress(now):
                self._cancelled.add(restore.id)
                work.cancel()
                return
            shown = (tally.files, tally.bytes, tally.bytes_total)
            due = loop.time() - last_event >= self.pace.event_seconds
            if tally.counted and shown != announced and due:
                await self._emit(now, RESTORE_EVENT_PREFIX + "progress")
                announced, last_event = shown, loop.time()

    async def _finish(
        self, restore: BackupRestore, tally: RestoreTally, status: str, message: str
    ) -> None:
        finished = replace(
            _with(restore, tally), status=status, message=message, finished_at=self.clock()
        )
        await self.store.save_restore(finished)
        await self._emit(finished, RESTORE_EVENT_PREFIX + "finished")

    async def _emit(self, restore: BackupRestore, kind: str) -> None:
        payload = {
            "restore_id": restore.id,
            "status": restore.status,
            "message": restore.message,
            "files": restore.files,
            "files_total": restore.files_total,
            "bytes": restore.bytes,
            "bytes_total": restore.bytes_total,
        }
        await self.notifier.emit(restore.user_id, kind, payload, self.clock())


async def _partials(provider: Provider) -> list[Entry]:
    """Partial writes under the destination: what a killed restore may have left."""
    return [e async for page in provider.list_tree() for e in page if e.kind is EntryKind.PARTIAL]


def _with(restore: BackupRestore, tally: RestoreTally) -> BackupRestore:
    return replace(
        restore,
        files=tally.files,
        bytes=tally.bytes,
        files_total=tally.files_total,
        bytes_total=tally.bytes_total,
    )


def _cancelled_message(tally: RestoreTally) -> str:
    return (
        f"Cancelled after {counted(tally.files, 'file')} of {tally.files_total}; those are "
        "in place (whole files only). Start it again to restore the rest."
    )


def _cut_message(tally: RestoreTally) -> str:
    return (
        f"The server stopped during this restore, after {counted(tally.files, 'file')} of "
        f"{tally.files_total}; those are in place (whole files only). Start it again to finish."
    )
