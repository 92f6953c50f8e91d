"""Run one provider backup rule on the server, with no client on.

A run lists the provider's folder, streams its files as a tar into ``borg import-tar`` (one
read per file, nothing staged on disk: :mod:`syncoxide.native.backup.provider_tar`), then
prunes the rule's own archives if it has a retention policy. Borg deduplicates, so every run
after the first stores only what changed.

A rule never runs twice at once (``running``); borg's repository lock keeps out anything
else (a client over SSH, the CLI). A refused provider credential puts the rule in
``reconnect`` (it waits for the connection to be fixed, as sync rules do); any other failure
is recorded on the run and the rule, announced as ``backup.run.finished`` with status
``failed``, and the schedule moves on: the next run tries again.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime
from pathlib import Path

from syncoxide.backup.names import archive_name
from syncoxide.backup.retention import RetentionPolicy
from syncoxide.backup.schedule import Schedule
from syncoxide.errors import AuthenticationError, NotFoundError, SyncoxideError, WrongPasswordError
from syncoxide.native.backup.provider_tar import TarTally, provider_tar
from syncoxide.native.providers.local_state import give_local_state
from syncoxide.server.backups.repositories import BackupRepositories
from syncoxide.server.backups.store import BackupRule, BackupRun, BackupStore
from syncoxide.server.events.service import Notifier
from syncoxide.server.rules.connections import RECONNECT, Connections, close_provider
from syncoxide.server.rules.store import Connection
from syncoxide.server.storage.owner_only import mkdir_owner_only
from syncoxide.units import counted, format_bytes

log = logging.getLogger("syncoxide.server.backups")


class BackupAlreadyRunning(Exception):
    pass


def retention_policy(retention: dict[str, int]) -> RetentionPolicy:
    """A rule's ``{"daily": 7, "weekly": 4}`` as borg's prune rule."""
    return RetentionPolicy(
        hourly=retention.get("hourly", 0),
        daily=retention.get("daily", 0),
        weekly=retention.get("weekly", 0),
        monthly=retention.get("monthly", 0),
        yearly=retention.get("yearly", 0),
    )


def next_run_at(schedule: str, now: int) -> int:
    """The schedule's next time after ``now`` (Unix seconds; schedules are in local time)."""
    moment = datetime.fromtimestamp(now)
    return int(Schedule.parse(schedule).next_after(moment).timestamp())


class BackupRunner:
    def __init__(
        self,
        *,
        store: BackupStore,
        repositories: BackupRepositories,
        connections: Connections,
        notifier: Notifier,
        clock: Callable[[], int],
        state_dir: Path,
    ) -> None:
        self.store = store
        self.repositories = repositories
        self.connections = connections
        self.notifier = notifier
        self.clock = clock
        self.state_dir = state_dir
        self.running: set[int] = set()

    def claim(self, rule_id: int) -> None:
        """Mark the rule running, synchronously, before any task for it is started."""
        if rule_id in self.running:
            raise BackupAlreadyRunning(rule_id)
        self.running.add(rule_id)

    async def run_claimed(self, rule: BackupRule, trigger: str) -> BackupRun:
        try:
            return await self._run(rule, trigger)
        finally:
            self.running.discard(rule.id)

    async def _run(self, rule: BackupRule, trigger: str) -> BackupRun:
        run = await self.store.add_run(
            BackupRun(0, rule.id, trigger, "running", self.clock(), None, "", 0, 0, 0, "")
        )
        await self.store.save_rule(replace(rule, status="running", status_message=""))
        await self._emit(rule, run, "backup.run.started")
        try:
            run = await self._backup(rule, run)
        except asyncio.CancelledError:
            run = replace(run, status="interrupted", message="The server stopped this run.")
            await self._finish(rule, run)
            raise
        except WrongPasswordError as error:  # borg's passphrase, not the provider's
            run = replace(run, status="failed", message=str(error))
        except AuthenticationError as error:
            run = replace(run, status=RECONNECT, message=await self._reconnect_message(rule, error))
        except SyncoxideError as error:
            run = replace(run, status="failed", message=str(error))
        except Exception as error:  # a bug: recorded, and the server keeps going
            log.exception("backup rule %d failed unexpectedly", rule.id)
            run = replace(run, status="failed", message=f"Internal error ({type(error).__name__}).")
        return await self._finish(rule, run)

    async def _backup(self, rule: BackupRule, run: BackupRun) -> BackupRun:
        repository = await self.repositories.get(rule.user_id, rule.repository_id)
        borg = await self.repositories.open(repository)
        connection = await self.store_connection(rule)
        provider = self.connections.provider(connection, rule.source_path)
        give_local_state((provider,), self.state_folder(rule))
        tally = TarTally()
        # Names have one-second precision: a run that starts in the second the last one ended
        # takes the next second's name rather than failing on "already exists".
        name = archive_name(rule.prefix, max(self.clock(), (rule.last_run_at or 0) + 1))
        try:
            stats = await borg.import_tar(name, provider_tar(provider, tally))
        finally:
            await close_provider(provider)
        policy = retention_policy(rule.retention)
        if not policy.empty:
            await borg.prune(policy, rule.prefix)
        message = (
            f"{counted(tally.files, 'file')} ({format_bytes(tally.bytes)}) in {name}; "
            f"{format_bytes(stats.added)} stored anew."
            + _skipped_note(tally.skipped)
            + _changed_note(tally.changed)
        )
        return replace(
            run,
            status="ok",
            archive=name,
            files=tally.files,
            bytes=tally.bytes,
            added=stats.added,
            message=message,
        )

    def state_folder(self, rule: BackupRule) -> Path:
        """What the rule's provider remembers between runs (an S3 store's object metadata,
        so a run after the first HEADs only the objects that changed)."""
        folder = self.state_dir / f"user-{rule.user_id}" / f"rule-{rule.id}"
        mkdir_owner_only(folder)  # it names the user's files
        return folder

    async def store_connection(self, rule: BackupRule) -> Connection:
        found = await self.connections.store.connection(rule.user_id, rule.connection_id)
        if found is None:
            raise NotFoundError("The connection this backup reads was deleted.")
        return found

    async def _reconnect_message(self, rule: BackupRule, error: AuthenticationError) -> str:
        connection = await self.connections.store.connection(rule.user_id, rule.connection_id)
        if connection is not None:
            await self.connections.test(connection)
        name = connection.name if connection else "the connection"
        return f"{error} Reconnect {name}; the backup waits until then."

    async def _finish(self, rule: BackupRule, run: BackupRun) -> BackupRun:
        now = self.clock()
        run = replace(run, finished_at=now)
        await self.store.save_run(run)
        current = await self.store.rule(rule.user_id, rule.id)
        if current is not None:  # deleted while it ran: nothing left to update
            await self.store.save_rule(
                replace(
                    current,
                    status="idle" if run.status == "interrupted" else run.status,
                    status_message=run.message,
                    last_run_at=now,
                    next_run_at=next_run_at(current.schedule, now),
                )
            )
        await self._emit(rule, run, "backup.run.finished")
        return run

    async def _emit(self, rule: BackupRule, run: BackupRun, kind: str) -> None:
        payload = {
            "rule_id": rule.id,
            "run_id": run.id,
            "name": rule.name,
            "status": run.status,
            "message": run.message,
        }
        await self.notifier.emit(rule.user_id, kind, payload, self.clock())


def _skipped_note(skipped: list[str]) -> str:
    """Files that changed or vanished while the backup ran: named, so nobody thinks them kept."""
    if not skipped:
        return ""
    return f" Changed during the backup, left for the next run: {_named(skipped)}."


def _changed_note(changed: list[str]) -> str:
    """Files replaced between the listing and their read: saved as read, and said so."""
    if not changed:
        return ""
    return f" Changed since the listing, saved as they were when read: {_named(changed)}."


def _named(paths: list[str]) -> str:
    return ", ".join(paths[:5]) + (f" and {len(paths) - 5} more" if len(paths) > 5 else "")
