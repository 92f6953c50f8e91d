"""The services behind share links and the user's own files: one blob store, one upload store
and one quota between them."""

from __future__ import annotations

from syncoxide.server.config import ServerConfig
from syncoxide.server.files.history import HistoryStore
from syncoxide.server.files.service import FileService
from syncoxide.server.files.store import FileStore
from syncoxide.server.links.service import LinkService
from syncoxide.server.links.store import LinkStore
from syncoxide.server.services import Services, blobs_on_s3, store_database
from syncoxide.server.storage.leases import JobLeases
from syncoxide.server.storage.quota import Quota
from syncoxide.server.tus import Uploads, UploadStore


def upload_store(config: ServerConfig, services: Services) -> Uploads:
    """Where tus uploads are assembled: beside the blobs. In files under the data directory
    by default; as multipart uploads in the bucket when the blobs are on S3, so the next
    PATCH may reach an instance on any host (tus/s3_store.py)."""
    clock = lambda: float(services.clock())  # noqa: E731 - the stores take a float clock
    if blobs_on_s3(services.blobs):
        # Imported only with the blobs on S3: the embedded default loads no S3 stack.
        from syncoxide.server.tus.s3_store import WRITE_LEASE_SECONDS, S3UploadStore

        database = store_database(config, services)
        leases = JobLeases(database, services.instance_id, WRITE_LEASE_SECONDS, services.clock)
        return S3UploadStore(services.blobs, clock, leases)
    return UploadStore(config.data_dir / "uploads", clock)


def link_service(config: ServerConfig, services: Services) -> LinkService:
    """Share and request links; their quota counts the user's own files too."""
    store = LinkStore(store_database(config, services))
    uploads = upload_store(config, services)
    own_files = FileStore(store_database(config, services))

    async def files_bytes(user_id: int) -> int:
        return own_files.bytes_of_user(user_id)

    return LinkService(
        store=store,
        blobs=services.blobs,
        uploads=uploads,
        notifier=services.notifier,
        clock=services.clock,
        signing=services.signing,
        quota=Quota(config.link_quota_bytes, used_elsewhere=files_bytes),
    )


def file_service(config: ServerConfig, services: Services, links: LinkService) -> FileService:
    """The user's own files share the links' blob store, upload store and quota; the files
    and their history (versions, trash) share one database handle, so they commit together."""
    database = store_database(config, services)
    return FileService(
        store=FileStore(database),
        blobs=links.blobs,
        uploads=links.uploads,
        incoming=config.data_dir / "incoming",
        quota=Quota(config.link_quota_bytes, used_elsewhere=links.store.bytes_of_user),
        history=HistoryStore(database),
        clock=links.clock,
    )
