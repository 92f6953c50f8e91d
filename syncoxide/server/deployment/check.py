"""``syncoxide serve --check-config``: does every target of the deployment answer?

Each target is tried the way the server will use it (a query, a bucket look-up, a ping),
within ``TIMEOUT_SECONDS``, so a deployment that would fail on its first request is refused
before a load balancer sends it traffic. Nothing is written anywhere.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

import nats
import psycopg
import redis.asyncio as aioredis
from nats.errors import Error as NatsError
from redis.exceptions import RedisError

from syncoxide.errors import ConfigError, SyncoxideError
from syncoxide.native.providers.s3.errors import translated
from syncoxide.native.providers.s3.settings import S3Settings, create_client
from syncoxide.server.config import ServerConfig
from syncoxide.server.deployment.bus_namespace import BusAddress, bus_address
from syncoxide.server.deployment.settings import Target, s3_location

TIMEOUT_SECONDS = 10.0


@dataclass(frozen=True)
class CheckResult:
    part: str  # database, blobs or bus
    shown: str  # the target, passwords masked
    ok: bool
    detail: str  # what answered, or what failed and what to do

    def line(self) -> str:
        verdict = "ok" if self.ok else "FAILED"
        return f"{self.part:<9} {verdict:<6} {self.shown}\n{'':10}{self.detail}"


async def check_deployment(config: ServerConfig) -> list[CheckResult]:
    """One result per target, in the order database, blobs, bus."""
    results = []
    for part, target in config.deployment().targets().items():
        probe = _PROBES[target.kind]
        try:
            detail = await asyncio.wait_for(probe(config, target), TIMEOUT_SECONDS)
            results.append(CheckResult(part, target.shown, True, detail))
        except TimeoutError:
            said = f"No answer within {TIMEOUT_SECONDS:.0f} s; check the address and firewall."
            results.append(CheckResult(part, target.shown, False, said))
        except SyncoxideError as error:
            results.append(CheckResult(part, target.shown, False, str(error)))
    return results


async def _sqlite(config: ServerConfig, target: Target) -> str:
    folder = config.data_dir
    if not os.access(folder if folder.exists() else folder.parent, os.W_OK):
        raise ConfigError(f"The data directory {folder} cannot be written.")
    return f"embedded SQLite at {config.database_path} (one server process)"


async def _postgresql(config: ServerConfig, target: Target) -> str:
    try:
        async with await psycopg.AsyncConnection.connect(target.url, connect_timeout=5) as db:
            row = await (await db.execute("SELECT current_setting('server_version')")).fetchone()
    except psycopg.Error as error:
        first_line = (str(error).strip() or type(error).__name__).splitlines()[0]
        raise ConfigError(
            f"PostgreSQL refused or could not be reached: {first_line.rstrip('.')}.",
            hint="Check host, port, database name, user and password in SYNCOXIDE_DATABASE.",
        ) from error
    version = row[0] if row else "?"
    return f"PostgreSQL {version} answers"


async def _local(config: ServerConfig, target: Target) -> str:
    return f"local disk at {config.blobs_dir} (one machine)"


async def _s3(config: ServerConfig, target: Target) -> str:
    where = s3_location(target, os.environ)
    if not where.access_key_id or not where.secret_access_key:
        raise ConfigError(
            "No S3 keys: AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY are not both set.",
            hint="Export both in the server's environment (the URL never holds keys).",
        )
    settings = S3Settings(
        bucket=where.bucket,
        endpoint_url=where.endpoint,
        region=where.region,
        access_key_id=where.access_key_id,
        secret_access_key=where.secret_access_key,
        connect_timeout=5,
        max_attempts=1,
    )
    endpoint = where.endpoint or "AWS"
    with translated("bucket", where.bucket, endpoint):
        async with create_client(settings) as client:
            await client.head_bucket(Bucket=where.bucket)
    return f"bucket {where.bucket!r} answers at {endpoint}"


async def _redis(config: ServerConfig, target: Target) -> str:
    address = bus_address(target.url, target.source)
    client = aioredis.from_url(address.url, socket_connect_timeout=5)
    try:
        info = await client.info("server")
    except RedisError as error:
        raise ConfigError(
            f"Redis could not be reached or refused: {str(error).rstrip('.')}.",
            hint="Check the address, database number and password in SYNCOXIDE_BUS.",
        ) from error
    finally:
        await client.aclose()
    return f"Redis {info.get('redis_version', '?')} answers{_in_namespace(address)}"


async def _nats(config: ServerConfig, target: Target) -> str:
    """A connection and a JetStream account look-up: rooms, rate limits and sign-in codes
    live in JetStream KV, so a server without JetStream cannot carry the bus."""
    seen: list[Exception] = []
    address = bus_address(target.url, target.source)

    async def remember(error: Exception) -> None:  # instead of nats-py logging a traceback
        seen.append(error)

    try:
        client = await nats.connect(
            address.url,
            connect_timeout=5,
            allow_reconnect=False,
            max_reconnect_attempts=1,  # nats-py reads 0 as "retry forever"
            reconnect_time_wait=0.2,
            error_cb=remember,
        )
    except (NatsError, OSError) as error:
        cause = seen[-1] if seen else error
        said = str(cause).strip() or type(cause).__name__
        raise ConfigError(
            f"NATS could not be reached or refused: {said.rstrip('.')}.",
            hint="Check the address, user and password in SYNCOXIDE_BUS.",
        ) from error
    try:
        found = client.connected_server_version
        version = f"{found.major}.{found.minor}.{found.patch}"
        await client.jetstream().account_info()
    except NatsError as error:
        raise ConfigError(
            f"NATS {version} answers but JetStream is not available to this account"
            f" ({type(error).__name__}).",
            hint="Start nats-server with JetStream enabled (-js, or jetstream {} in its"
            " config): signaling rooms, rate limits and sign-in codes live in JetStream KV.",
        ) from error
    finally:
        await client.close()
    return f"NATS {version} answers, JetStream enabled{_in_namespace(address)}"


def _in_namespace(address: BusAddress) -> str:
    if not address.namespace:
        return ""
    return f"; this deployment's names are in namespace {address.namespace!r}"


_PROBES: dict[str, Callable[[ServerConfig, Target], Awaitable[str]]] = {
    "sqlite": _sqlite,
    "postgresql": _postgresql,
    "local": _local,
    "s3": _s3,
    "memory": lambda config, target: _in_process(),
    "redis": _redis,
    "nats": _nats,
}


async def _in_process() -> str:
    return "in-process (one server process)"
