"""The services the routes call, assembled once from the configuration."""

from __future__ import annotations

from dataclasses import dataclass, field

from starlette.requests import HTTPConnection

from syncoxide.server.accounts.cli_codes import CliLoginCodes
from syncoxide.server.accounts.oidc import OidcLogins, load_providers
from syncoxide.server.accounts.service import Accounts, Clock, wall_clock
from syncoxide.server.config import ServerConfig
from syncoxide.server.events.service import Notifier
from syncoxide.server.mail.outbox import Mailer
from syncoxide.server.ratelimit import RateLimiter, RateLimits
from syncoxide.server.signing import SigningKey, load_or_create_key
from syncoxide.server.storage.blobs import LocalBlobStore
from syncoxide.server.storage.port import BlobStore, MetadataStore
from syncoxide.server.storage.sqlite import SqliteMetadataStore


@dataclass
class Services:
    store: MetadataStore
    blobs: BlobStore
    accounts: Accounts
    notifier: Notifier
    oidc: OidcLogins
    signing: SigningKey
    limits: RateLimits = field(default_factory=RateLimits)
    cli_codes: CliLoginCodes = field(default_factory=CliLoginCodes)
    limiter: RateLimiter = field(default_factory=RateLimiter)
    mailer: Mailer = field(default_factory=lambda: Mailer(None))

    @property
    def clock(self) -> Clock:
        return self.accounts.clock


def embedded_services(
    config: ServerConfig, clock: Clock = wall_clock, limits: RateLimits | None = None
) -> Services:
    """SQLite + local blobs under the data directory (already migrated by the caller)."""
    store = SqliteMetadataStore.open(config.database_path)
    return Services(
        store=store,
        blobs=LocalBlobStore(config.blobs_dir),
        accounts=Accounts(store, clock),
        notifier=Notifier(store),
        oidc=OidcLogins(store, load_providers(config.settings_path)),
        signing=SigningKey(load_or_create_key(config.signing_key_path)),
        limits=limits or RateLimits(),
        mailer=Mailer(config.mail()),
    )


def services_of(connection: HTTPConnection) -> Services:
    """The services of the app this request reached (``create_app`` puts them in its state)."""
    services: Services = connection.app.state.services
    return services
