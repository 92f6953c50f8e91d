"""The sync rules' service: the connections to users' remotes (their own server files among
them), the runner, the watcher and the scheduler, woken by writes to the server's files."""

from __future__ import annotations

from syncoxide.native.net.address_guard import AddressGuard, AddressPolicy
from syncoxide.server.composition.leases import job_leases
from syncoxide.server.config import ServerConfig
from syncoxide.server.files.provider import OwnFilesProvider
from syncoxide.server.files.service import FileService
from syncoxide.server.rules.connections import Connections, open_connection
from syncoxide.server.rules.on_write import WriteTrigger
from syncoxide.server.rules.runner import RuleRunner
from syncoxide.server.rules.scheduler import RuleScheduler
from syncoxide.server.rules.service import RuleService
from syncoxide.server.rules.store import RuleStore
from syncoxide.server.rules.watcher import ChangeWatcher
from syncoxide.server.services import Services, store_database


def rule_service(
    config: ServerConfig, services: Services, files: FileService | None = None
) -> RuleService:
    store = RuleStore(store_database(config, services))
    connections = _connections(config, services, store, files)
    runner = RuleRunner(
        store=store,
        connections=connections,
        notifier=services.notifier,
        data_dir=config.data_dir,
        clock=services.clock,
    )
    watcher = ChangeWatcher(store, connections, services.clock)
    scheduler = RuleScheduler(runner, watcher, leases=job_leases(config, services))
    if files is not None:
        scheduler.write_trigger = WriteTrigger(
            store, is_running=runner.running.__contains__, clock=services.clock, wake=scheduler.wake
        )
        files.changes.listen(scheduler.write_trigger.notice, everywhere=True)
    return RuleService(store, connections, scheduler, services.clock)


def _connections(
    config: ServerConfig, services: Services, store: RuleStore, files: FileService | None
) -> Connections:
    """Users' remotes, their secrets sealed with the data directory's key, reached only at
    addresses the allow-list permits; ``files`` lets a rule name the user's own server files."""

    def own_files(user_id: int, path: str) -> OwnFilesProvider:
        assert files is not None
        return OwnFilesProvider(files, user_id, path)

    policy = AddressPolicy.parse(config.connections_allow(), "the connections allow-list")
    return Connections(
        store=store,
        key_path=config.data_dir / "connections.key",
        clock=services.clock,
        open_remote=open_connection,
        own_files=own_files if files else None,
        guard=AddressGuard(policy),
    )
