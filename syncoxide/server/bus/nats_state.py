"""Rate limits and ``syncoxide login`` requests and codes in NATS JetStream KV, shared by
every instance exactly as the Redis versions share them (bus/redis_state.py).

Rate limits are a sliding window per (bucket, key): one KV entry holding the attempt times,
trimmed, counted and written back by compare-and-set on the entry's revision, retried when
another instance wrote first. The times come from each instance's clock (JetStream has no
server-side script that could read the server's): keep the instances' clocks synchronised,
as token expiry already requires. Entries lapse after ``LIMIT_KEEP_SECONDS``, the longest
window this store accepts.

Sign-in requests and codes expire with their bucket's TTL. Taking one is a delete made on
condition that the entry is still the revision read, so two instances can never both hand
out its token.
"""

from __future__ import annotations

import json
import secrets
import time
from dataclasses import asdict
from typing import TypeVar

from nats.errors import Error as NatsError
from nats.js.errors import KeyNotFoundError
from nats.js.kv import KeyValue

from syncoxide.errors import ConfigError, TransportError
from syncoxide.server.accounts.cli_codes import (
    CODE_TTL_SECONDS,
    MAX_WRONG_USER_CODES,
    REQUEST_TTL_SECONDS,
    SignInRequest,
    challenge_of,
    normalized_user_code,
)
from syncoxide.server.bus.nats_bus import CAS_ATTEMPTS
from syncoxide.server.bus.nats_link import NatsLink, key_of, lost_race
from syncoxide.server.inputs import same_secret
from syncoxide.server.ratelimit import Limit

LIMIT_KEEP_SECONDS = 3600
T = TypeVar("T")


class NatsRateLimiter:
    def __init__(self, link: NatsLink) -> None:
        self._link = link

    async def hit(self, bucket: str, key: str, limit: Limit) -> float | None:
        if limit.per_seconds > LIMIT_KEEP_SECONDS:
            raise ConfigError(
                f"A rate limit window of {limit.per_seconds:g} s is longer than the NATS bus"
                f" keeps attempts ({LIMIT_KEEP_SECONDS} s).",
                hint="Use a shorter window, or the Redis bus.",
            )
        windows = await self._link.bucket("limits", LIMIT_KEEP_SECONDS)
        name = key_of(f"{bucket}:{key}")
        window_ms = limit.per_seconds * 1000
        for _ in range(CAS_ATTEMPTS):
            no_hits: list[float] = []
            stored, revision = await _read(windows, name, no_hits)
            now_ms = time.time() * 1000
            hits: list[float] = [float(at) for at in stored if at > now_ms - window_ms]
            if len(hits) >= limit.attempts:
                # min, not the first: instances' clocks may disagree on the order
                return max(1000.0, min(hits) + window_ms - now_ms) / 1000
            if await _swapped(windows, name, [*hits, now_ms], revision):
                return None
        raise TransportError(f"The rate limit of {bucket} stayed busy for {CAS_ATTEMPTS} tries.")


class NatsCliCodes:
    def __init__(self, link: NatsLink) -> None:
        self._link = link

    async def _requests(self) -> KeyValue:
        return await self._link.bucket("login_requests", REQUEST_TTL_SECONDS)

    async def _codes(self) -> KeyValue:
        return await self._link.bucket("login_codes", CODE_TTL_SECONDS)

    async def ask(self, request: SignInRequest, now: int) -> str:
        request_id = secrets.token_urlsafe(24)
        await (await self._requests()).put(key_of(request_id), json.dumps(asdict(request)).encode())
        return request_id

    async def asked(self, request_id: str, now: int) -> SignInRequest | None:
        found, _ = await _read(await self._requests(), key_of(request_id), None)
        return SignInRequest(**found) if found else None

    async def confirm(self, request_id: str, typed_code: str, now: int) -> SignInRequest | None:
        requests = await self._requests()
        found, revision = await _read(requests, key_of(request_id), None)
        if found is None:
            return None
        request = SignInRequest(**found)
        if same_secret(normalized_user_code(typed_code), normalized_user_code(request.user_code)):
            return request if await _taken(requests, key_of(request_id), revision) else None
        wrong = key_of(request_id + ":wrong")
        if await _counted(requests, wrong) >= MAX_WRONG_USER_CODES:
            await requests.delete(key_of(request_id))
            await requests.delete(wrong)
        return None

    async def file(self, challenge: str, token: str, now: int) -> str:
        code = secrets.token_urlsafe(24)
        await (await self._codes()).put(key_of(code), json.dumps([challenge, token]).encode())
        return code

    async def redeem(self, code: str, verifier: str, now: int) -> str | None:
        codes = await self._codes()
        found, revision = await _read(codes, key_of(code), None)
        if not found:
            return None
        challenge, token = found
        if not same_secret(challenge_of(verifier), challenge):
            return None  # kept: the real command line may still swap it
        return str(token) if await _taken(codes, key_of(code), revision) else None


async def _read(bucket: KeyValue, key: str, missing: T) -> tuple[T, int]:
    """The entry's JSON value and revision; ``missing`` and 0 when there is none."""
    try:
        entry = await bucket.get(key)
    except KeyNotFoundError:
        return missing, 0
    value: T = json.loads(entry.value or b"null")
    return value, entry.revision or 0


async def _swapped(bucket: KeyValue, key: str, value: object, revision: int) -> bool:
    """Write unless someone changed the entry since ``revision``; False when they did."""
    data = json.dumps(value).encode()
    try:
        await (bucket.update(key, data, last=revision) if revision else bucket.create(key, data))
    except NatsError as error:
        if lost_race(error):
            return False
        raise
    return True


async def _taken(bucket: KeyValue, key: str, revision: int) -> bool:
    """Delete the entry if it is still ``revision``: True for the one instance that did."""
    try:
        await bucket.delete(key, last=revision)
    except NatsError as error:
        if lost_race(error):
            return False
        raise
    return True


async def _counted(bucket: KeyValue, key: str) -> int:
    """Add one to the counter at ``key``; its new value."""
    for _ in range(CAS_ATTEMPTS):
        count, revision = await _read(bucket, key, 0)
        if await _swapped(bucket, key, count + 1, revision):
            return count + 1
    raise TransportError(f"A sign-in request stayed busy for {CAS_ATTEMPTS} tries.")
