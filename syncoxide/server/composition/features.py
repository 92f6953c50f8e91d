"""Every feature's service, built in dependency order and put on the app's state, where routes
and the lifespan find them: files first, rules on the files, then what builds on both."""

from __future__ import annotations

from starlette.datastructures import State

from syncoxide.server.composition.account_shares import account_share_service
from syncoxide.server.composition.automation import automation_service
from syncoxide.server.composition.backups import backup_service
from syncoxide.server.composition.catalog import catalog_service
from syncoxide.server.composition.photos import photo_service
from syncoxide.server.composition.rules import rule_service
from syncoxide.server.config import RetentionSettings, ServerConfig
from syncoxide.server.files.recovery import FileRecovery
from syncoxide.server.files.retention_sweep import RetentionSweep
from syncoxide.server.files.service import FileService
from syncoxide.server.links.service import LinkService
from syncoxide.server.photos.thumbnail_sweep import ThumbnailSweep
from syncoxide.server.relays import instance_relays, storage_change_feed
from syncoxide.server.services import Services, store_database


def attach_features(
    state: State,
    config: ServerConfig,
    services: Services,
    *,
    links: LinkService,
    files: FileService,
) -> None:
    """Build each feature's service on ``links`` and ``files`` and keep it in ``state``."""
    state.links = links
    state.files = files
    state.storage_changes = storage_change_feed(services, files)
    state.rules = rule_service(config, services, files)
    state.backups = backup_service(config, services, state.rules)
    retention = config.retention()
    _attach_retention(state, services, files, retention)
    state.catalog = catalog_service(
        config, services, files, state.rules, feed=state.storage_changes
    )
    state.rules.delete_listeners.append(state.catalog.connection_deleted)
    state.account_shares = account_share_service(config, services, files, state.rules)
    _attach_automation_and_photos(state, config, services, links=links, files=files)
    state.thumbnail_sweep = ThumbnailSweep(
        store_database(config, services), files.blobs, retention.sweep_every_seconds
    )
    state.relays = instance_relays(
        services,
        changes=files.changes,
        feed=state.storage_changes,
        restores=state.backups.restores,
        automation=state.automation,
    )


def _attach_retention(
    state: State, services: Services, files: FileService, retention: RetentionSettings
) -> None:
    """Old versions and trash: restored on request, swept when their time is up."""
    assert files.history is not None  # file_service always keeps one
    state.recovery = FileRecovery(files, files.history, services.clock, retention.policy)
    state.sweep = RetentionSweep(state.recovery, retention.sweep_every_seconds)


def _attach_automation_and_photos(
    state: State,
    config: ServerConfig,
    services: Services,
    *,
    links: LinkService,
    files: FileService,
) -> None:
    """Automation (which watches shares' places too) and photos (listed through the catalog)."""
    state.automation = automation_service(
        config, services, files, links, rules=state.rules, shares=state.account_shares.store
    )
    state.photos = photo_service(config, services, files, catalog=state.catalog, rules=state.rules)
