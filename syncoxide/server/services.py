"""The services the routes call, assembled once from the configuration."""

from __future__ import annotations

import asyncio
import os
import secrets
import sys
import uuid
from collections.abc import Coroutine
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeGuard, TypeVar

from starlette.requests import HTTPConnection

from syncoxide.server.accounts.cli_codes import CliCodes, CliLoginCodes
from syncoxide.server.accounts.oidc import OidcLogins, load_providers
from syncoxide.server.accounts.service import Accounts, Clock, wall_clock
from syncoxide.server.bus.choose import SharedBus, open_bus
from syncoxide.server.config import ServerConfig
from syncoxide.server.deployment.settings import Target, s3_location
from syncoxide.server.events.service import Notifier
from syncoxide.server.mail.outbox import Mailer
from syncoxide.server.ratelimit import Limiter, RateLimiter, RateLimits
from syncoxide.server.signaling.bus_hub import BusHub
from syncoxide.server.signaling.hub import Hub, InProcessHub
from syncoxide.server.signing import KEY_BYTES, SigningKey, load_or_create_key
from syncoxide.server.storage.blobs import LocalBlobStore
from syncoxide.server.storage.database import Database, SqliteHandles, sqlite_at
from syncoxide.server.storage.port import BlobStore, MetadataStore
from syncoxide.server.storage.shared_keys import SIGNING_KEY, shared_key
from syncoxide.server.storage.sqlite import SqliteMetadataStore

if TYPE_CHECKING:  # imported where used: the embedded default loads no S3 or PostgreSQL stack
    from syncoxide.server.storage.postgres import PostgresMetadataStore
    from syncoxide.server.storage.postgres_database import PostgresDatabase
    from syncoxide.server.storage.s3 import S3BlobStore

EMBEDDED_INSTANCE = "embedded"


T = TypeVar("T")


@dataclass
class Services:
    store: MetadataStore
    blobs: BlobStore
    accounts: Accounts
    notifier: Notifier
    oidc: OidcLogins
    signing: SigningKey
    limits: RateLimits = field(default_factory=RateLimits)
    cli_codes: CliCodes = field(default_factory=CliLoginCodes)
    limiter: Limiter = field(default_factory=RateLimiter)
    mailer: Mailer = field(default_factory=lambda: Mailer(None))
    #: Where signaling rooms meet: this process's hub, or the deployment's bus.
    hub: Hub = field(default_factory=InProcessHub)
    #: The deployment's bus (docs/scaling.md); None on the embedded default.
    shared_bus: SharedBus | None = None
    #: This instance among several (job leases name it); one fixed id when embedded.
    instance_id: str = EMBEDDED_INSTANCE
    #: The deployment's PostgreSQL, one pool for every store; None on the embedded SQLite.
    postgres: PostgresDatabase | None = None
    #: On the embedded SQLite: every store's handle, closed at shutdown.
    sqlite_handles: SqliteHandles = field(default_factory=SqliteHandles)

    @property
    def clock(self) -> Clock:
        return self.accounts.clock


def embedded_services(
    config: ServerConfig, clock: Clock = wall_clock, limits: RateLimits | None = None
) -> Services:
    """The deployment's database (the data directory's SQLite file, already migrated by the
    caller, or PostgreSQL, migrated here), its blobs and its bus."""
    deployment = config.deployment()
    store, postgres = open_metadata(config, deployment.database)
    shared_bus = open_bus(deployment.bus)
    services = Services(
        store=store,
        blobs=open_blobs(config, deployment.blobs),
        accounts=Accounts(store, clock),
        notifier=Notifier(store, shared_bus.bus if shared_bus else None),
        hub=BusHub(shared_bus.bus, shared_bus.rooms) if shared_bus else InProcessHub(),
        shared_bus=shared_bus,
        instance_id=uuid.uuid4().hex if shared_bus else EMBEDDED_INSTANCE,
        oidc=OidcLogins(store, load_providers(config.settings_path)),
        signing=SigningKey(signing_key_of(config, deployment.database)),
        limits=limits or RateLimits(),
        mailer=Mailer(config.mail()),
        postgres=postgres,
    )
    if shared_bus is not None:  # any request may reach any instance: count and file alike
        services.limiter = shared_bus.limiter
        services.cli_codes = shared_bus.cli_codes
    return services


def open_metadata(
    config: ServerConfig, database: Target
) -> tuple[MetadataStore, PostgresDatabase | None]:
    """The accounts store and, on PostgreSQL, the handle every other store shares. The
    PostgreSQL schema is brought up to date first: when several instances start at once,
    one migrates under the advisory lock and the others wait for it."""
    if database.embedded:
        return SqliteMetadataStore.open(config.database_path), None
    from syncoxide.server.storage.postgres import PostgresMetadataStore, migrate_postgres
    from syncoxide.server.storage.postgres_database import PostgresDatabase

    run_to_end(migrate_postgres(database.url))
    return PostgresMetadataStore(database.url), PostgresDatabase(database.url)


def signing_key_of(config: ServerConfig, database: Target) -> bytes:
    """The data directory's key file on the embedded default. On PostgreSQL the deployment's
    one key, so every instance verifies what any other signed; a key file already in the data
    directory (a server moved off the embedded default) is offered as that key."""
    if database.embedded:
        return load_or_create_key(config.signing_key_path)
    path = config.signing_key_path
    offered = load_or_create_key(path) if path.exists() else secrets.token_bytes(KEY_BYTES)
    return run_to_end(shared_key(database.url, SIGNING_KEY, offered))


def store_database(config: ServerConfig, services: Services) -> Database:
    """The database handle a store is built on: the deployment's PostgreSQL pool, shared, or
    a connection of its own to the embedded SQLite file (WAL lets them read side by side),
    kept to be closed at shutdown."""
    if services.postgres is not None:
        return services.postgres
    return services.sqlite_handles.opened(sqlite_at(config.database_path))


def open_blobs(config: ServerConfig, target: Target) -> BlobStore:
    """Local disk under the data directory, or the deployment's S3 bucket."""
    if target.embedded:
        return LocalBlobStore(config.blobs_dir)
    from syncoxide.native.providers.s3.settings import S3Settings
    from syncoxide.server.storage.s3 import S3BlobStore

    where = s3_location(target, os.environ)
    settings = S3Settings(
        bucket=where.bucket,
        prefix=where.prefix,
        endpoint_url=where.endpoint,
        region=where.region,
        access_key_id=where.access_key_id,
        secret_access_key=where.secret_access_key,
    )
    return S3BlobStore(settings)


def blobs_on_s3(blobs: BlobStore) -> TypeGuard[S3BlobStore]:
    """Whether the blobs are the deployment's bucket, asked without importing the S3 stack:
    no blob store is an S3BlobStore while its module was never loaded."""
    module = sys.modules.get("syncoxide.server.storage.s3")
    return module is not None and isinstance(blobs, module.S3BlobStore)


def store_on_postgres(store: MetadataStore) -> TypeGuard[PostgresMetadataStore]:
    """Whether the accounts store is on PostgreSQL, asked without importing psycopg."""
    module = sys.modules.get("syncoxide.server.storage.postgres")
    return module is not None and isinstance(store, module.PostgresMetadataStore)


def services_of(connection: HTTPConnection) -> Services:
    """The services of the app this request reached (``create_app`` puts them in its state)."""
    services: Services = connection.app.state.services
    return services


def run_to_end(work: Coroutine[Any, Any, T]) -> T:
    """``work`` run to its end from synchronous start-up code, inside an event loop or not.

    ``syncoxide serve`` builds the app before its loop starts; an ASGI server's factory
    (``uvicorn --factory syncoxide.server.asgi:create``) builds it inside the running loop,
    where ``asyncio.run`` refuses: there it runs on a loop of its own in a thread, blocking
    the start, as it does without a loop."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(work)
    with ThreadPoolExecutor(1, thread_name_prefix="syncoxide-start") as pool:
        return pool.submit(asyncio.run, work).result()
