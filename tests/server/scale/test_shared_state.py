"""Rate limits and ``syncoxide login`` codes behave alike in memory, in Redis and in NATS,
and on Redis or NATS two instances share them."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

import pytest
import redis.asyncio as aioredis

from syncoxide.server.accounts.cli_codes import (
    CliCodes,
    CliLoginCodes,
    SignInRequest,
    challenge_of,
)
from syncoxide.server.bus.nats_link import NatsLink
from syncoxide.server.bus.nats_state import NatsCliCodes, NatsRateLimiter
from syncoxide.server.bus.redis_state import RedisCliCodes, RedisRateLimiter
from syncoxide.server.ratelimit import Limit, Limiter, RateLimiter
from tests.server.scale.services import drop_nats_buckets

REQUEST = SignInRequest(challenge_of("verifier"), 0, "laptop", "127.0.0.1", 1000, "BCDF-GHJK")


# What each test compares: (on Redis, on NATS, in memory).
LIMITER = (RedisRateLimiter, NatsRateLimiter, RateLimiter)
CODES = (RedisCliCodes, NatsCliCodes, CliLoginCodes)


def _pair(
    backend: str | None, makers: tuple[Callable[[Any], Any], ...]
) -> Callable[[Callable[[Any, Any], Awaitable[None]]], None]:
    """Run a body with two instances' views: two Redis clients, two NATS connections, or
    one memory object twice."""
    on_redis, on_nats, in_memory = makers

    def run(body: Callable[[Any, Any], Awaitable[None]]) -> None:
        async def main() -> None:
            if backend is None:
                shared = in_memory()
                await body(shared, shared)
            elif backend.startswith("nats://"):
                links = [NatsLink(backend) for _ in range(2)]
                try:
                    await body(on_nats(links[0]), on_nats(links[1]))
                finally:
                    await drop_nats_buckets(links[0])
                    for link in links:
                        await link.aclose()
            else:
                clients = [aioredis.from_url(backend) for _ in range(2)]
                try:
                    await body(on_redis(clients[0]), on_redis(clients[1]))
                finally:
                    await clients[0].flushdb()
                    for client in clients:
                        await client.aclose()

        asyncio.run(main())

    return run


@pytest.fixture(params=["memory", "redis", "nats"])
def backend(request: pytest.FixtureRequest) -> str | None:
    if request.param == "memory":
        return None
    url: str = request.getfixturevalue(f"{request.param}_url")
    return url


def test_attempts_spread_over_instances_share_one_limit(backend: str | None) -> None:
    async def body(one: Limiter, two: Limiter) -> None:
        limit = Limit(3, 60)
        assert await one.hit("login-ip", "10.0.0.1", limit) is None
        assert await two.hit("login-ip", "10.0.0.1", limit) is None
        assert await one.hit("login-ip", "10.0.0.1", limit) is None
        wait = await two.hit("login-ip", "10.0.0.1", limit)
        assert wait is not None and 1.0 <= wait <= 60
        assert await two.hit("login-ip", "10.0.0.2", limit) is None  # per key
        assert await two.hit("tokens-ip", "10.0.0.1", limit) is None  # per bucket

    _pair(backend, LIMITER)(body)


def test_the_window_slides(bus_url: str) -> None:
    async def body(one: Limiter, two: Limiter) -> None:
        limit = Limit(1, 1)
        assert await one.hit("b", "k", limit) is None
        assert await two.hit("b", "k", limit) is not None
        await asyncio.sleep(1.1)
        assert await two.hit("b", "k", limit) is None

    _pair(bus_url, LIMITER)(body)


def test_a_sign_in_asked_on_one_instance_is_approved_and_swapped_on_others(
    backend: str | None,
) -> None:
    async def body(one: CliCodes, two: CliCodes) -> None:
        request_id = await one.ask(REQUEST, 1000)
        assert await two.asked(request_id, 1001) == REQUEST
        assert await two.confirm(request_id, "bcdf ghjk", 1002) == REQUEST
        assert await one.confirm(request_id, "BCDF-GHJK", 1003) is None  # taken once
        code = await two.file(REQUEST.challenge, "sxo_secret", 1004)
        assert await one.redeem(code, "wrong verifier", 1005) is None
        assert await one.redeem(code, "verifier", 1006) == "sxo_secret"
        assert await two.redeem(code, "verifier", 1007) is None  # one swap only

    _pair(backend, CODES)(body)


def test_wrong_user_codes_drop_the_request_on_every_instance(backend: str | None) -> None:
    async def body(one: CliCodes, two: CliCodes) -> None:
        request_id = await one.ask(REQUEST, 1000)
        for instance in (one, two, one):
            assert await instance.confirm(request_id, "XXXX-XXXX", 1001) is None
        assert await two.asked(request_id, 1002) is None
        assert await two.confirm(request_id, "BCDF-GHJK", 1003) is None

    _pair(backend, CODES)(body)


def test_concurrent_attempts_from_both_instances_are_all_counted(bus_url: str) -> None:
    """Twenty attempts at once, half on each instance, against a limit of five: exactly five
    pass (a lost compare-and-set is retried, never lost or double counted)."""

    async def body(one: Limiter, two: Limiter) -> None:
        limit = Limit(5, 60)
        tries = [(one if n % 2 else two).hit("b", "k", limit) for n in range(20)]
        waits = await asyncio.gather(*tries)
        assert sum(wait is None for wait in waits) == 5

    _pair(bus_url, LIMITER)(body)


def test_a_code_redeemed_on_both_instances_at_once_is_handed_out_once(bus_url: str) -> None:
    async def body(one: CliCodes, two: CliCodes) -> None:
        for _ in range(5):
            code = await one.file(REQUEST.challenge, "sxo_secret", 1000)
            got = await asyncio.gather(
                one.redeem(code, "verifier", 1001), two.redeem(code, "verifier", 1001)
            )
            assert sorted(got, key=str) == [None, "sxo_secret"]

    _pair(bus_url, CODES)(body)
