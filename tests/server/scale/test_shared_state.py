"""Rate limits and ``syncoxide login`` codes behave alike in memory and in Redis, and in
Redis two instances share them."""

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
from syncoxide.server.bus.redis_state import RedisCliCodes, RedisRateLimiter
from syncoxide.server.ratelimit import Limit, Limiter, RateLimiter

REQUEST = SignInRequest(challenge_of("verifier"), 0, "laptop", "127.0.0.1", 1000, "BCDF-GHJK")


def _pair(
    backend: str | None, make: Callable[[aioredis.Redis], Any], memory: Callable[[], Any]
) -> Callable[[Callable[[Any, Any], Awaitable[None]]], None]:
    """Run a body with two instances' views: two Redis clients, or one memory object twice."""

    def run(body: Callable[[Any, Any], Awaitable[None]]) -> None:
        async def main() -> None:
            if backend is None:
                shared = memory()
                await body(shared, shared)
                return
            clients = [aioredis.from_url(backend) for _ in range(2)]
            try:
                await body(make(clients[0]), make(clients[1]))
            finally:
                await clients[0].flushdb()
                for client in clients:
                    await client.aclose()

        asyncio.run(main())

    return run


@pytest.fixture(params=["memory", "redis"])
def backend(request: pytest.FixtureRequest) -> str | None:
    if request.param == "memory":
        return None
    url: str = request.getfixturevalue("redis_url")
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

    _pair(backend, RedisRateLimiter, RateLimiter)(body)


def test_the_window_slides(redis_url: str) -> None:
    async def body(one: Limiter, two: Limiter) -> None:
        limit = Limit(1, 1)
        assert await one.hit("b", "k", limit) is None
        assert await two.hit("b", "k", limit) is not None
        await asyncio.sleep(1.1)
        assert await two.hit("b", "k", limit) is None

    _pair(redis_url, RedisRateLimiter, RateLimiter)(body)


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

    _pair(backend, RedisCliCodes, CliLoginCodes)(body)


def test_wrong_user_codes_drop_the_request_on_every_instance(backend: str | None) -> None:
    async def body(one: CliCodes, two: CliCodes) -> None:
        request_id = await one.ask(REQUEST, 1000)
        for instance in (one, two, one):
            assert await instance.confirm(request_id, "XXXX-XXXX", 1001) is None
        assert await two.asked(request_id, 1002) is None
        assert await two.confirm(request_id, "BCDF-GHJK", 1003) is None

    _pair(backend, RedisCliCodes, CliLoginCodes)(body)
