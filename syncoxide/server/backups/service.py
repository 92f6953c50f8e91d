"""Backups on the server, kept apart from HTTP: rules, runs, restores into providers.

The pieces: :class:`~.repositories.BackupRepositories` (the user's hosted repositories and
their sealed passphrases), :class:`~.keys.BackupKeys` (SSH keys -> ``authorized_keys``),
:class:`~.runner.BackupRunner` and :class:`~.scheduler.BackupScheduler` (provider backup
rules), and :mod:`.archives` (browse, download, restore). Everything takes the user's id:
another user's repository, rule or restore is not found.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from syncoxide.backup.names import check_prefix, default_prefix
from syncoxide.backup.schedule import Schedule
from syncoxide.errors import NotFoundError, UsageError
from syncoxide.server.backups.hosted import HostedRepositories
from syncoxide.server.backups.identities import BackupIdentities
from syncoxide.server.backups.keys import BackupKeys
from syncoxide.server.backups.restores import BackupRestores
from syncoxide.server.backups.runner import BackupAlreadyRunning, next_run_at, retention_policy
from syncoxide.server.backups.scheduler import BackupScheduler
from syncoxide.server.backups.store import BackupRule, BackupRun
from syncoxide.server.config import BackupHosting
from syncoxide.server.rules.connections import close_provider
from syncoxide.server.rules.service import clean_path
from syncoxide.server.rules.store import Connection

log = logging.getLogger("syncoxide.server.backups")
RETENTION_KEYS = ("hourly", "daily", "weekly", "monthly", "yearly")
RUNS_SHOWN = 10


class BackupService:
    def __init__(
        self,
        *,
        scheduler: BackupScheduler,
        keys: BackupKeys,
    ) -> None:
        # The runner already holds the store, repositories, connections, notifier and clock;
        # the keys hold the hosting settings: one copy of each.
        runner = scheduler.runner
        self.store = runner.store
        self.repositories = runner.repositories
        self.keys = keys
        self.scheduler = scheduler
        self.connections = runner.connections
        self.notifier = runner.notifier
        self.hosting: BackupHosting = keys.hosting
        self.clock = runner.clock
        self.restores = BackupRestores(
            store=self.store,
            repositories=self.repositories,
            connections=self.connections,
            notifier=self.notifier,
            clock=self.clock,
            scheduler=scheduler,
        )

    @property
    def identities(self) -> BackupIdentities:
        return self.repositories.identities

    @property
    def hosted(self) -> HostedRepositories:
        return self.repositories.hosted

    def client_settings(self, user_id: int, name: str) -> dict[str, str]:
        return self.hosted.client_settings(
            user_id=user_id,
            repository=name,
            host=self.hosting.ssh_host,
            port=self.hosting.ssh_port,
            login=self.hosting.ssh_login,
        )

    async def connection(self, user_id: int, connection_id: int) -> Connection:
        found = await self.connections.store.connection(user_id, connection_id)
        if found is None:
            raise NotFoundError(f"You have no connection {connection_id}.")
        return found

    # rules

    async def rule(self, user_id: int, rule_id: int) -> BackupRule:
        found = await self.store.rule(user_id, rule_id)
        if found is None:
            raise NotFoundError(f"You have no backup rule {rule_id}.")
        return found

    async def create_rule(self, user_id: int, body: dict[str, Any]) -> BackupRule:
        now = self.clock()
        source_path = clean_path(body.get("source_path", ""))
        connection = await self.connection(user_id, body["connection_id"])
        fallback = default_prefix([source_path or connection.name])
        rule = BackupRule(
            id=0,
            user_id=user_id,
            name=body.get("name", "").strip() or f"Back up {connection.name}",
            connection_id=connection.id,
            source_path=source_path,
            repository_id=body["repository_id"],
            prefix=body.get("prefix") or fallback,
            schedule=body.get("schedule", "daily at 02:00"),
            retention=dict(body.get("retention", {})),
            enabled=body.get("enabled", True),
            status="idle",
            status_message="",
            next_run_at=0,
            last_run_at=None,
            created_at=now,
        )
        await self._check(rule)
        rule = replace(rule, next_run_at=next_run_at(rule.schedule, now))
        return await self.store.add_rule(rule)

    async def update_rule(self, user_id: int, rule_id: int, body: dict[str, Any]) -> BackupRule:
        rule = await self.rule(user_id, rule_id)
        changes = dict(body)
        if "source_path" in changes:
            changes["source_path"] = clean_path(changes["source_path"])
        updated = replace(rule, **changes)
        await self._check(updated)
        if updated.schedule != rule.schedule:
            since = rule.last_run_at or self.clock()
            updated = replace(updated, next_run_at=next_run_at(updated.schedule, since))
        await self.store.save_rule(updated)
        self.scheduler.wake()
        return updated

    async def delete_rule(self, user_id: int, rule_id: int) -> None:
        if not await self.store.delete_rule(user_id, rule_id):
            raise NotFoundError(f"You have no backup rule {rule_id}.")

    async def run_now(self, user_id: int, rule_id: int) -> BackupRule:
        rule = await self.rule(user_id, rule_id)
        try:
            self.scheduler.start_run(rule, "manual")
        except BackupAlreadyRunning:
            raise UsageError(
                "This backup is running already.", hint="Its run is shown when it finishes."
            ) from None
        return replace(rule, status="running", status_message="")

    async def rules_with_runs(
        self, user_id: int, runs: int
    ) -> list[tuple[BackupRule, Sequence[BackupRun]]]:
        """The user's backup rules, each with its last ``runs`` runs."""
        found = await self.store.user_rules(user_id)
        return [(r, await self.store.rule_runs(r.id, runs)) for r in found]

    async def runs(self, user_id: int, rule_id: int, limit: int = RUNS_SHOWN) -> list[BackupRun]:
        await self.rule(user_id, rule_id)
        return list(await self.store.rule_runs(rule_id, limit))

    async def _check(self, rule: BackupRule) -> None:
        Schedule.parse(rule.schedule)
        check_prefix(rule.prefix)
        unknown = set(rule.retention) - set(RETENTION_KEYS)
        if unknown:
            raise UsageError(f"Unknown retention {sorted(unknown)}; use {RETENTION_KEYS}.")
        retention_policy(rule.retention)  # negative counts are refused
        repository = await self.repositories.get(rule.user_id, rule.repository_id)
        await self.repositories.open(repository)  # the server must keep its passphrase to run
        connection = await self.connection(rule.user_id, rule.connection_id)
        # Building the provider checks the path against its type (Drive takes no path).
        await close_provider(self.connections.provider(connection, rule.source_path))
