"""The photos' service: the server storage's photos, and the connections' as the catalog
lists them."""

from __future__ import annotations

from syncoxide.photos.timeline import file_time
from syncoxide.server.catalog.service import CatalogService
from syncoxide.server.config import ServerConfig
from syncoxide.server.files.service import FileService
from syncoxide.server.photos.provider_photos import ProviderPhotos
from syncoxide.server.photos.service import PhotoService
from syncoxide.server.rules.service import RuleService
from syncoxide.server.services import Services, store_database


def photo_service(
    config: ServerConfig,
    services: Services,
    files: FileService,
    *,
    catalog: CatalogService,
    rules: RuleService,
) -> PhotoService:
    """Photos of the server storage, and of the connections as the catalog lists them."""
    database = store_database(config, services)
    providers = ProviderPhotos(database, catalog=catalog,
                               connections=rules.connections, blobs=files.blobs,
                               file_time=file_time)  # fmt: skip
    rules.delete_listeners.append(providers.connection_deleted)
    return PhotoService(database, files, providers=providers)
