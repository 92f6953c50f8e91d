"""The service of shares between accounts, with its own scheduler on the rules' engine."""

from __future__ import annotations

from syncoxide.server.accountshares.digest import Digests
from syncoxide.server.accountshares.notices import Notices
from syncoxide.server.accountshares.runner import ShareRunner
from syncoxide.server.accountshares.scheduler import ShareScheduler
from syncoxide.server.accountshares.service import AccountShareService
from syncoxide.server.accountshares.store import AccountShareStore
from syncoxide.server.config import ServerConfig
from syncoxide.server.files.service import FileService
from syncoxide.server.rules.service import RuleService
from syncoxide.server.services import Services, store_database


def account_share_service(
    config: ServerConfig, services: Services, files: FileService, rules: RuleService
) -> AccountShareService:
    """Shares between accounts: kept in step by their own scheduler with the rules' engine;
    a change in a storage place makes its share due at once, and the storage API refuses
    writes into a place shared read-only."""
    store = AccountShareStore(store_database(config, services))
    notices = Notices(store, services.notifier, services.mailer, services.clock)
    runner = ShareRunner(
        store=store,
        rules=rules.store,
        connections=rules.connections,
        notices=notices,
        users=services.store,
        data_dir=config.data_dir,
        clock=services.clock,
    )
    digests = Digests(
        store, services.store, services.mailer, signing=services.signing, clock=services.clock
    )
    # Shares take their leases in the rule schedulers' table: one lease table per database.
    scheduler = ShareScheduler(runner, digests.send_due, leases=rules.scheduler.leases)
    service = AccountShareService(
        store, services.store, rules, notices, clock=services.clock, wake=scheduler.wake
    )
    service.scheduler = scheduler
    files.changes.listen(scheduler.storage_changed, everywhere=True)
    rules.reconnect_listeners.append(scheduler.reconnected)
    files.api_write_refused = service.refused_write
    return service
