"""The catalog's service: the index of every file a user can reach, kept fresh by the storage's
change feed (one instance) or by listing again when stale (several)."""

from __future__ import annotations

from syncoxide.server.catalog.service import CatalogService
from syncoxide.server.catalog.store import catalog_store
from syncoxide.server.composition.leases import job_leases
from syncoxide.server.config import ServerConfig
from syncoxide.server.files.change_feed import StorageChangeFeed
from syncoxide.server.files.service import FileService
from syncoxide.server.rules.service import RuleService
from syncoxide.server.services import Services, store_database


def catalog_service(
    config: ServerConfig,
    services: Services,
    files: FileService,
    rules: RuleService,
    *,
    feed: StorageChangeFeed,
) -> CatalogService:
    store = catalog_store(store_database(config, services))
    # With several instances too: the feed hears every instance's changes and answers "look
    # at everything" for any it may have missed (files/change_feed.py).
    return CatalogService(
        store,
        services.clock,
        files,
        rules.connections,
        feed=feed,
        stale_after=config.catalog_stale_after(),
        leases=job_leases(config, services),
    )
