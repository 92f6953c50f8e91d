"""The backups' service: hosted repositories and their keys, users' own repositories, and the
scheduler that runs backup rules through the rules' connections."""

from __future__ import annotations

from syncoxide.server.backups.hosted import HostedRepositories
from syncoxide.server.backups.identities import BackupIdentities
from syncoxide.server.backups.keys import BackupKeys
from syncoxide.server.backups.repositories import BackupRepositories
from syncoxide.server.backups.runner import BackupRunner
from syncoxide.server.backups.scheduler import BackupScheduler
from syncoxide.server.backups.service import BackupService
from syncoxide.server.backups.store import BackupStore
from syncoxide.server.config import ServerConfig
from syncoxide.server.rules.service import RuleService
from syncoxide.server.services import Services, store_database


def backup_service(config: ServerConfig, services: Services, rules: RuleService) -> BackupService:
    """Hosted repositories, their keys and provider backups; passphrases sealed with the
    connections' key, borg's cache and security records under ``DATA/borg``, what backup
    rules' providers remember between runs under ``DATA/backups-state``, the SSH key and
    pinned host keys for users' own SSH servers under ``DATA/ssh-run`` while in use."""
    store = BackupStore(store_database(config, services))
    hosting = config.backup_hosting()
    hosted = HostedRepositories(hosting.root, hosting.borg)
    runner = BackupRunner(
        store=store,
        repositories=_repositories(config, services, rules, store=store, hosted=hosted),
        connections=rules.connections,
        notifier=services.notifier,
        clock=services.clock,
        state_dir=config.data_dir / "backups-state",
    )
    return BackupService(
        scheduler=BackupScheduler(runner, leases=rules.scheduler.leases),  # one lease table
        keys=BackupKeys(store, hosted, hosting, services.clock),
    )


def _repositories(
    config: ServerConfig,
    services: Services,
    rules: RuleService,
    *,
    store: BackupStore,
    hosted: HostedRepositories,
) -> BackupRepositories:
    identities = BackupIdentities(
        store=store,
        sealer=rules.connections.sealer,
        runtime=config.data_dir / "ssh-run",
        clock=services.clock,
    )
    return BackupRepositories(
        store=store,
        hosted=hosted,
        sealer=rules.connections.sealer,
        borg_base=config.data_dir / "borg",
        clock=services.clock,
        identities=identities,
        guard=rules.connections.guard,
    )
