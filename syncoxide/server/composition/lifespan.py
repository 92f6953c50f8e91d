"""The server's start and stop: the background work (schedulers, sweeps, the automation worker,
the relays between instances, gRPC when asked for) started in order and stopped within a bound,
then the catalog's read threads and the shared connections (bus, bucket, PostgreSQL, the
stores' SQLite writers) closed."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from typing import Protocol

from starlette.applications import Starlette

from syncoxide.server.accounts.passwords import cheap_hashing_warning
from syncoxide.server.composition.api_table import API_OPERATIONS
from syncoxide.server.config import GrpcAddress
from syncoxide.server.relays import InstanceRelays
from syncoxide.server.services import Services, blobs_on_s3, store_on_postgres
from syncoxide.server.storage.sqlite import SqliteMetadataStore

log = logging.getLogger("syncoxide.server")
#: How long each background part may take to stop before the server stops without it.
STOP_SECONDS = 15.0


class _Stoppable(Protocol):
    async def stop(self) -> None: ...


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
    if (warning := cheap_hashing_warning()) is not None:
        log.warning(warning)
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
        app.state.catalog.store.close()  # its read threads' connections, before PostgreSQL's
        await _close_shared(app.state.services)


async def _close_shared(services: Services) -> None:
    """The connections every part shared, once none of them runs any more."""
    services.sqlite_handles.close()  # the stores' writers on the embedded SQLite file
    if isinstance(services.store, SqliteMetadataStore):
        services.store.close()  # the accounts' writer
    if services.shared_bus is not None:
        await services.shared_bus.aclose()
    if blobs_on_s3(services.blobs):
        await services.blobs.aclose()
    if services.postgres is not None:  # the stores' connections, then accounts'
        services.postgres.close()
    if store_on_postgres(services.store):
        await services.store.close()


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
