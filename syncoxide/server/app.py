"""The Starlette application: routes stay thin, the pieces they call live beside them."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any, Protocol

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import BaseRoute, Route, WebSocketRoute
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

from syncoxide import __version__
from syncoxide.native.net.address_guard import AddressGuard, AddressPolicy
from syncoxide.photos.timeline import file_time
from syncoxide.runtime import current_runtime
from syncoxide.server.accounts import cli_login
from syncoxide.server.accounts import pages as account_pages
from syncoxide.server.accounts.api import ACCOUNT_OPERATIONS
from syncoxide.server.accounts.auth import who
from syncoxide.server.accountshares.api import ACCOUNT_SHARE_OPERATIONS
from syncoxide.server.accountshares.digest import Digests
from syncoxide.server.accountshares.notices import Notices
from syncoxide.server.accountshares.runner import ShareRunner
from syncoxide.server.accountshares.scheduler import ShareScheduler
from syncoxide.server.accountshares.service import AccountShareService
from syncoxide.server.accountshares.store import AccountShareStore
from syncoxide.server.accountshares.unsubscribe_routes import unsubscribe_routes
from syncoxide.server.api import routing as api
from syncoxide.server.api.errors import ApiError
from syncoxide.server.api.openapi import openapi_document
from syncoxide.server.api.spec import PREFIX as API_PREFIX
from syncoxide.server.api.spec import Operation
from syncoxide.server.automation.api import AUTOMATION_OPERATIONS
from syncoxide.server.automation.database_queue import DatabaseJobQueue
from syncoxide.server.automation.places import RulePlaces
from syncoxide.server.automation.provider_files import ProviderJobs
from syncoxide.server.automation.provider_watch import ProviderArrivals
from syncoxide.server.automation.rules import AutomationRuleStore
from syncoxide.server.automation.seen import SeenStore
from syncoxide.server.automation.service import JOB_KIND, AutomationService
from syncoxide.server.automation.worker import JobWorker, WorkerSettings
from syncoxide.server.backups.api import BACKUP_OPERATIONS
from syncoxide.server.backups.hosted import HostedRepositories
from syncoxide.server.backups.identities import BackupIdentities
from syncoxide.server.backups.keys import BackupKeys
from syncoxide.server.backups.repositories import BackupRepositories
from syncoxide.server.backups.runner import BackupRunner
from syncoxide.server.backups.scheduler import BackupScheduler
from syncoxide.server.backups.service import BackupService
from syncoxide.server.backups.store import BackupStore
from syncoxide.server.catalog import file_links
from syncoxide.server.catalog.api import CATALOG_OPERATIONS
from syncoxide.server.catalog.provider_history_api import PROVIDER_HISTORY_OPERATIONS
from syncoxide.server.catalog.service import CatalogService
from syncoxide.server.catalog.store import catalog_store
from syncoxide.server.config import GrpcAddress, ServerConfig
from syncoxide.server.datadir import prepare_data_dir
from syncoxide.server.events.api import EVENT_OPERATIONS
from syncoxide.server.events.live import live_events
from syncoxide.server.files import uploads as storage_uploads
from syncoxide.server.files.api import STORAGE_OPERATIONS
from syncoxide.server.files.change_feed import StorageChangeFeed
from syncoxide.server.files.changes_api import CHANGES_OPERATIONS
from syncoxide.server.files.history import HistoryStore
from syncoxide.server.files.provider import OwnFilesProvider
from syncoxide.server.files.recovery import FileRecovery
from syncoxide.server.files.retention_sweep import RetentionSweep
from syncoxide.server.files.service import FileService
from syncoxide.server.files.store import FileStore
from syncoxide.server.http.forms import safe_next
from syncoxide.server.http.socket_peer import SocketPeer
from syncoxide.server.links import request_routes, share_routes, uploads
from syncoxide.server.links.api import LINK_OPERATIONS
from syncoxide.server.links.api import tus_openapi_paths as link_tus_paths
from syncoxide.server.links.mail_api import LINK_MAIL_OPERATIONS
from syncoxide.server.links.service import LinkService
from syncoxide.server.links.store import LinkStore
from syncoxide.server.pages.assets import IMMUTABLE, REVALIDATE, file_response, resolve_inside
from syncoxide.server.pages.headers import SecurityHeaders
from syncoxide.server.pages.shell import VIEW_KEYS, VendorBuild
from syncoxide.server.pages.templates import render_page
from syncoxide.server.photos.api import PHOTO_OPERATIONS
from syncoxide.server.photos.provider_photos import ProviderPhotos
from syncoxide.server.photos.service import PhotoService
from syncoxide.server.photos.thumbnail_sweep import ThumbnailSweep
from syncoxide.server.ratelimit import RateLimits
from syncoxide.server.relays import InstanceRelays, instance_relays, storage_change_feed
from syncoxide.server.rules.api import RULE_OPERATIONS
from syncoxide.server.rules.connections import Connections, open_connection
from syncoxide.server.rules.consent_routes import consent_routes
from syncoxide.server.rules.on_write import WriteTrigger
from syncoxide.server.rules.runner import RuleRunner
from syncoxide.server.rules.scheduler import RuleScheduler
from syncoxide.server.rules.service import RuleService
from syncoxide.server.rules.store import RuleStore
from syncoxide.server.rules.watcher import ChangeWatcher
from syncoxide.server.services import (
    Services,
    blobs_on_s3,
    embedded_services,
    store_database,
    store_on_postgres,
)
from syncoxide.server.signaling.api import ICE_OPERATIONS
from syncoxide.server.signaling.routes import signaling_routes
from syncoxide.server.storage.leases import JobLeases
from syncoxide.server.storage.quota import Quota
from syncoxide.server.torrents import routes as torrent_routes
from syncoxide.server.tus import Uploads, UploadStore


class WebApp:
    """Everything the routes need, read once at start-up."""

    def __init__(self, config: ServerConfig, services: Services | None = None) -> None:
        self.config = config
        self.schema_version = prepare_data_dir(config)
        self.services = services or embedded_services(config)
        self.static_dir = config.web_root / "static"
        self._manifest_stamp = 0
        self._load_build()

    def _load_build(self) -> None:
        """Read the web build, again whenever ``syncoxide build-web`` has replaced it.

        One stat per page load lets a rebuild reach browsers without restarting the server.
        """
        stamp = (
            self.config.manifest_path.stat().st_mtime_ns
            if self.config.manifest_path.exists()
            else 0
        )
        if stamp and stamp == self._manifest_stamp:
            return
        self.build = VendorBuild.load(self.config.vendor_dir)
        self._manifest_stamp = stamp

    async def index(self, request: Request) -> Response:
        """The app, for a signed-in browser; everyone else is sent to sign in first."""
        try:
            signed_in = await who(request)
        except ApiError:
            signed_in = None
        if signed_in is None or signed_in.via != "session":
            target = safe_next(request.url.path)
            return RedirectResponse(
                f"/login?next={target}", 303, headers={"Cache-Control": "no-store"}
            )
        self._load_build()
        context = {"build": self.build, "signed_in": signed_in, "view_keys": VIEW_KEYS}
        return render_page(request, "app.html", context)

    async def healthz(self, request: Request) -> Response:
        runtime = current_runtime()
        return JSONResponse(
            {
                "status": "ok",
                "version": __version__,
                "python": runtime.python_version,
                "schema_version": self.schema_version,
                "instance": self.services.instance_id,
                "pyodide": self.build.pyodide_version,
            },
            headers={"Cache-Control": "no-store"},
        )

    async def static(self, request: Request) -> Response:
        relative = request.path_params["path"]
        if relative.split("/", 1)[0] == "vendor":
            raise HTTPException(404)
        return self._file_or_404(request, self.static_dir, relative, REVALIDATE)

    async def vendor(self, request: Request) -> Response:
        # Any complete build folder still on disk is served, so a page opened before a rebuild
        # can finish loading; the build keeps the previous generation for that reason.
        folder, path = request.path_params["folder"], request.path_params["path"]
        if not path or not (self.config.vendor_dir / folder).is_dir():
            raise HTTPException(404)
        relative = f"{folder}/{path}"
        return self._file_or_404(request, self.config.vendor_dir, relative, IMMUTABLE)

    def _file_or_404(self, request: Request, root: Path, relative: str, cache: str) -> Response:
        path = resolve_inside(root, relative)
        if path is None:
            raise HTTPException(404)
        return file_response(request, path, cache)

    async def http_error(self, request: Request, error: Exception) -> Response:
        status = error.status_code if isinstance(error, HTTPException) else 500
        code, title, message = _STATUS_TEXT.get(status, _STATUS_TEXT[500])
        wants_json = "application/json" in request.headers.get("accept", "")
        if wants_json or request.url.path.startswith(API_PREFIX + "/"):
            return JSONResponse({"error": code, "message": message}, status_code=status)
        context = {"title": title, "message": message, "path": request.url.path}
        headers = getattr(error, "headers", None) or {}
        return render_page(request, "error.html", context, status=status, headers=headers)


_STATUS_TEXT = {
    404: (
        "not_found",
        "Not found",
        "Nothing is at this address. Check the link, or start from the app's home page.",
    ),
    405: (
        "method_not_allowed",
        "Not allowed",
        "This address does not accept that kind of request.",
    ),
    500: ("http_error", "Request failed", "The server could not answer this request."),
}


def upload_store(config: ServerConfig, services: Services) -> Uploads:
    """Where tus uploads are assembled: beside the blobs. In files under the data directory
    by default; as multipart uploads in the bucket when the blobs are on S3, so the next
    PATCH may reach an instance on any host (tus/s3_store.py)."""
    clock = lambda: float(services.clock())  # noqa: E731 - the stores take a float clock
    if blobs_on_s3(services.blobs):
        from syncoxide.server.tus.s3_store import WRITE_LEASE_SECONDS, S3UploadStore

        database = store_database(config, services)
        leases = JobLeases(database, services.instance_id, WRITE_LEASE_SECONDS, services.clock)
        return S3UploadStore(services.blobs, clock, leases)
    return UploadStore(config.data_dir / "uploads", clock)


def link_service(config: ServerConfig, services: Services) -> LinkService:
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
        leases=_leases(config, services),
    )


def rule_service(
    config: ServerConfig, services: Services, files: FileService | None = None
) -> RuleService:
    store = RuleStore(store_database(config, services))
    key = config.data_dir / "connections.key"

    def own_files(user_id: int, path: str) -> OwnFilesProvider:
        assert files is not None
        return OwnFilesProvider(files, user_id, path)

    policy = AddressPolicy.parse(config.connections_allow(), "the connections allow-list")
    connections = Connections(
        store=store,
        key_path=key,
        clock=services.clock,
        open_remote=open_connection,
        own_files=own_files if files else None,
        guard=AddressGuard(policy),
    )
    runner = RuleRunner(
        store=store,
        connections=connections,
        notifier=services.notifier,
        data_dir=config.data_dir,
        clock=services.clock,
    )
    watcher = ChangeWatcher(store, connections, services.clock)
    scheduler = RuleScheduler(runner, watcher, leases=_leases(config, services))
    if files is not None:
        scheduler.write_trigger = WriteTrigger(
            store, is_running=runner.running.__contains__, clock=services.clock, wake=scheduler.wake
        )
        files.changes.listen(scheduler.write_trigger.notice, everywhere=True)
    return RuleService(store, connections, scheduler, services.clock)


def _leases(config: ServerConfig, services: Services) -> JobLeases | None:
    """Job leases when instances share the work (a bus is configured); none embedded."""
    if services.shared_bus is None:
        return None
    holder, seconds = services.instance_id, config.lease_seconds
    return JobLeases(store_database(config, services), holder, seconds, services.clock)


def backup_service(config: ServerConfig, services: Services, rules: RuleService) -> BackupService:
    """Hosted repositories, their keys and provider backups; passphrases sealed with the
    connections' key, borg's cache and security records under ``DATA/borg``, what backup
    rules' providers remember between runs under ``DATA/backups-state``, the SSH key and
    pinned host keys for users' own SSH servers under ``DATA/ssh-run`` while in use."""
    store = BackupStore(store_database(config, services))
    hosting = config.backup_hosting()
    hosted = HostedRepositories(hosting.root, hosting.borg)
    identities = BackupIdentities(
        store=store,
        sealer=rules.connections.sealer,
        runtime=config.data_dir / "ssh-run",
        clock=services.clock,
    )
    repositories = BackupRepositories(
        store=store,
        hosted=hosted,
        sealer=rules.connections.sealer,
        borg_base=config.data_dir / "borg",
        clock=services.clock,
        identities=identities,
        guard=rules.connections.guard,
    )
    runner = BackupRunner(
        store=store,
        repositories=repositories,
        connections=rules.connections,
        notifier=services.notifier,
        clock=services.clock,
        state_dir=config.data_dir / "backups-state",
    )
    return BackupService(
        scheduler=BackupScheduler(runner, leases=rules.scheduler.leases),  # one lease table
        keys=BackupKeys(store, hosted, hosting, services.clock),
    )


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


def automation_service(
    config: ServerConfig,
    services: Services,
    files: FileService,
    links: LinkService,
    *,
    rules: RuleService,
    shares: AccountShareStore,
) -> AutomationService:
    """Rules and the job queue in the server's database; one worker per server process, and
    one poll of the folders of connections and shares that rules watch."""
    settings = config.automation()
    database = store_database(config, services)
    places = RulePlaces(rules.store, shares)
    seen = SeenStore(database)
    automation = AutomationService(
        rules=AutomationRuleStore(database),
        queue=DatabaseJobQueue(database),
        files=files,
        links=links,
        notifier=services.notifier,
        work_root=config.data_dir / "automation",
        places=places,
        provider_jobs=ProviderJobs(rules.connections, places, seen),
        settle_seconds=settings.settle_seconds,
    )
    automation.arrivals = ProviderArrivals(
        rules=automation.rules,
        places=places,
        connections=rules.connections,
        seen=seen,
        enqueue=automation.enqueue,
        every=settings.poll_seconds,
    )
    worker_settings = WorkerSettings(
        slots=settings.workers, per_user=settings.per_user, lease=settings.lease_seconds
    )
    automation.worker = JobWorker(
        automation.queue,
        {JOB_KIND: automation.run_job},
        worker_settings,
        on_finished=automation.job_finished,
    )
    files.changes.listen(automation.file_changed)
    links.arrival_listeners.append(automation.link_arrived)
    return automation


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


@contextlib.asynccontextmanager
async def lifespan(app: Starlette) -> AsyncIterator[None]:
    """Sync rules, backup rules, account shares, the retention and thumbnail sweeps and the
    automation worker run for as long as the server runs; the backup account's
    authorized_keys is rewritten from the database at start; gRPC, when asked for, listens
    beside the web server on its loop."""
    schedulers = (
        app.state.rules.scheduler,
        app.state.backups.scheduler,
        app.state.account_shares.scheduler,
        app.state.sweep,
        app.state.thumbnail_sweep,
        app.state.automation.worker,
        app.state.automation.arrivals,
    )
    await app.state.backups.keys.publish()
    relays: InstanceRelays | None = app.state.relays
    if relays is not None:  # before the schedulers: they hear changes and cancels at once
        await relays.start()
    for scheduler in schedulers:
        await scheduler.start()
    try:
        async with _grpc_beside(app):
            yield
    finally:
        for scheduler in schedulers:
            await _stop_within(scheduler, STOP_SECONDS)
        if relays is not None:
            await relays.stop()
        if app.state.services.shared_bus is not None:
            await app.state.services.shared_bus.aclose()
        if blobs_on_s3(app.state.services.blobs):
            await app.state.services.blobs.aclose()
        if app.state.services.postgres is not None:  # the stores' connections, then accounts'
            app.state.services.postgres.close()
        if store_on_postgres(app.state.services.store):
            await app.state.services.store.close()


log = logging.getLogger("syncoxide.server")
#: How long each background part may take to stop before the server stops without it.
STOP_SECONDS = 15.0


class _Stoppable(Protocol):
    async def stop(self) -> None: ...


async def _stop_within(part: _Stoppable, seconds: float) -> None:
    """Stop ``part``, but never let one stuck task hold the whole server's shutdown."""
    try:
        await asyncio.wait_for(part.stop(), seconds)
    except TimeoutError:
        log.warning(
            "%s did not stop within %.0f s; stopping without it", type(part).__name__, seconds
        )


@contextlib.asynccontextmanager
async def _grpc_beside(app: Starlette) -> AsyncIterator[None]:
    address: GrpcAddress | None = app.state.grpc_address
    if address is None:
        yield
        return
    # Imported only when gRPC is on: grpcio and the stubs add about 30 ms to every server start
    # (python -X importtime, after the server itself is imported).
    from syncoxide.server.grpc import listener

    server = await listener.start(app, API_OPERATIONS, address)
    try:
        yield
    finally:
        await listener.stop(server)


#: Every API operation: each feature's table, joined here so no feature names another.
API_OPERATIONS: tuple[Operation, ...] = (
    ACCOUNT_OPERATIONS
    + EVENT_OPERATIONS
    + ICE_OPERATIONS
    + LINK_OPERATIONS
    + LINK_MAIL_OPERATIONS
    + RULE_OPERATIONS
    + STORAGE_OPERATIONS
    + CHANGES_OPERATIONS
    + BACKUP_OPERATIONS
    + CATALOG_OPERATIONS
    + PROVIDER_HISTORY_OPERATIONS
    + ACCOUNT_SHARE_OPERATIONS
    + AUTOMATION_OPERATIONS
    + PHOTO_OPERATIONS
)


def _tus_paths() -> dict[str, dict[str, Any]]:
    return {**link_tus_paths(), **storage_uploads.tus_openapi_paths()}


def api_document() -> dict[str, Any]:
    """The OpenAPI document the server serves at /api/v1/openapi.json (clients are made from it)."""
    return openapi_document(API_OPERATIONS, _tus_paths())


def api_routes() -> list[BaseRoute]:
    """The API's routes; the app lists them first, so API calls match after few checks."""
    return [
        *api.routes(API_OPERATIONS, who, _tus_paths()),
        WebSocketRoute(API_PREFIX + "/events/live", live_events),
    ]


def create_app(
    config: ServerConfig,
    services: Services | None = None,
    limits: RateLimits | None = None,
    *,
    grpc: GrpcAddress | None = None,
) -> Starlette:
    web = WebApp(config, services)
    ice = config.ice()
    if limits is not None:
        web.services.limits = limits
    routes: list[BaseRoute] = [
        *api_routes(),
        Route("/", web.index, methods=["GET", "HEAD"]),
        Route("/healthz", web.healthz, methods=["GET", "HEAD"]),
        Route("/static/{path:path}", web.static, methods=["GET", "HEAD"]),
        Route("/vendor/{folder}/{path:path}", web.vendor, methods=["GET", "HEAD"]),
        *signaling_routes(config, web.services.hub, ice, store_database(config, web.services)),
        *account_pages.routes(),
        *cli_login.routes(),
        *file_links.routes(),
    ]
    links = link_service(config, web.services)
    routes.extend([*uploads.routes(links), *torrent_routes.routes(links)])
    routes.extend([*share_routes.routes(), *request_routes.routes()])
    routes.extend(consent_routes())
    routes.extend(unsubscribe_routes())
    files = file_service(config, web.services, links)
    routes.extend(storage_uploads.routes(files))
    app = Starlette(
        routes=routes,
        exception_handlers={HTTPException: web.http_error, Exception: web.http_error},
        lifespan=lifespan,
    )
    app.state.services = web.services
    app.state.grpc_address = grpc
    app.state.links = links
    app.state.ice = ice
    app.state.files = files
    app.state.storage_changes = storage_change_feed(config, web.services, files.changes)
    app.state.rules = rule_service(config, web.services, files)
    app.state.backups = backup_service(config, web.services, app.state.rules)
    assert files.history is not None  # file_service always keeps one
    retention = config.retention()
    app.state.recovery = FileRecovery(files, files.history, web.services.clock, retention.policy)
    app.state.sweep = RetentionSweep(app.state.recovery, retention.sweep_every_seconds)
    app.state.catalog = catalog_service(
        config, web.services, files, app.state.rules, feed=app.state.storage_changes
    )
    app.state.rules.delete_listeners.append(app.state.catalog.connection_deleted)
    app.state.account_shares = account_share_service(config, web.services, files, app.state.rules)
    app.state.automation = automation_service(
        config,
        web.services,
        files,
        links,
        rules=app.state.rules,
        shares=app.state.account_shares.store,
    )
    app.state.photos = photo_service(
        config, web.services, files, catalog=app.state.catalog, rules=app.state.rules
    )
    app.state.thumbnail_sweep = ThumbnailSweep(
        store_database(config, web.services), files.blobs, retention.sweep_every_seconds
    )
    app.state.relays = instance_relays(
        web.services,
        changes=files.changes,
        feed=app.state.storage_changes,
        restores=app.state.backups.restores,
        automation=app.state.automation,
    )
    app.add_middleware(SecurityHeaders)
    proxies = config.trusted_proxies()
    if proxies:  # outside the rest, so every route and limit sees the visitor's address
        app.add_middleware(ProxyHeadersMiddleware, trusted_hosts=proxies)
    # Outermost: the socket's own address and scheme first, whatever the ASGI server believed.
    app.add_middleware(SocketPeer)
    return app
