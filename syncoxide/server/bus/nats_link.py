"""One instance's connection to NATS, opened on first use, and its JetStream KV buckets.

The bus, the rooms, the rate limits and the sign-in codes of one instance share this one
connection (NATS multiplexes subscriptions and requests over it). It is opened lazily
because the server builds its services before its event loop runs; nats-py then reconnects
by itself, resubscribing what was subscribed.

Each kind of short-lived state has its own bucket, whose ``ttl`` (the stream's max age)
plays the part of a Redis key's expiry: an entry not rewritten within it disappears.
JetStream must be enabled on the server (``nats-server -js``); ``serve --check-config``
says so when it is not.
"""

from __future__ import annotations

import asyncio
import base64

import nats
from nats.aio.client import Client
from nats.errors import Error as NatsError
from nats.js.api import KeyValueConfig
from nats.js.errors import APIError, BucketNotFoundError, KeyWrongLastSequenceError
from nats.js.kv import KeyValue

from syncoxide.errors import TransportError
from syncoxide.server.deployment.bus_namespace import namespaced

BUCKET_PREFIX = "syncoxide_"
CONNECT_TIMEOUT_SECONDS = 5

# JetStream's "wrong last sequence" codes: a compare-and-set lost to another writer.
_CONFLICT_CODES = (10071, 10164)


class NatsLink:
    """``namespace``: this deployment's part of subjects and bucket names
    (deployment/bus_namespace.py)."""

    def __init__(self, url: str, shown: str | None = None, namespace: str = "") -> None:
        self.url = url
        self.shown = shown or url  # the URL with its password masked, for messages
        self.namespace = namespace
        self._client: Client | None = None
        self._buckets: dict[str, KeyValue] = {}
        self._lock: asyncio.Lock | None = None

    async def client(self) -> Client:
        if self._client is None:
            async with self._guard():
                if self._client is None:
                    self._client = await self._connect()
        return self._client

    async def _connect(self) -> Client:
        """The first connection fails within ``CONNECT_TIMEOUT_SECONDS`` (the next use tries
        again); once connected, nats-py reconnects for as long as it takes."""
        try:
            return await asyncio.wait_for(
                nats.connect(
                    self.url,
                    name="syncoxide",
                    connect_timeout=CONNECT_TIMEOUT_SECONDS,
                    max_reconnect_attempts=-1,  # keep trying: the bus must come back
                ),
                CONNECT_TIMEOUT_SECONDS,
            )
        except (TimeoutError, NatsError, OSError) as error:
            raise TransportError(
                f"The NATS bus at {self.shown} did not answer ({type(error).__name__}).",
                hint="syncoxide serve --check-config tells what is wrong with SYNCOXIDE_BUS.",
            ) from error

    async def bucket(self, name: str, ttl_seconds: float) -> KeyValue:
        """The bucket ``syncoxide_NAME`` (``syncoxide_NAMESPACE_NAME`` in a namespace),
        created with ``ttl_seconds`` if it does not exist."""
        found = self._buckets.get(name)
        if found is not None:
            return found
        js = (await self.client()).jetstream()
        full = namespaced(BUCKET_PREFIX, self.namespace, "_") + name
        async with self._guard():
            try:
                found = await js.key_value(full)
            except BucketNotFoundError:
                # Identical configurations from two instances creating it at once both succeed.
                found = await js.create_key_value(KeyValueConfig(bucket=full, ttl=ttl_seconds))
            self._buckets[name] = found
        return found

    def _guard(self) -> asyncio.Lock:
        if self._lock is None:
            self._lock = asyncio.Lock()
        return self._lock

    async def aclose(self) -> None:
        if self._client is not None and not self._client.is_closed:
            await self._client.close()
        self._client = None
        self._buckets.clear()


def lost_race(error: Exception) -> bool:
    """True when a JetStream write failed only because another writer came first."""
    if isinstance(error, KeyWrongLastSequenceError):
        return True
    return isinstance(error, APIError) and error.err_code in _CONFLICT_CODES


def key_of(text: str) -> str:
    """Any text as a valid KV key (``[-_A-Za-z0-9]``, never empty), one to one."""
    return "k" + base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")
