"""Short-lived state every instance must see alike, kept in Redis: rate limits and the
sign-in requests and one-time codes of ``syncoxide login``.

Rate limits are a sliding window per (bucket, key): a sorted set of attempt times, trimmed
and counted in one script that reads Redis's own clock, so instances with drifting clocks
still count one window. Sign-in requests and codes expire by Redis TTL; taking one is a
``DEL`` whose answer says who took it, so two instances can never both hand out its token.
"""

from __future__ import annotations

import json
import secrets
from dataclasses import asdict

import redis.asyncio as aioredis

from syncoxide.server.accounts.cli_codes import (
    CODE_TTL_SECONDS,
    MAX_WRONG_USER_CODES,
    REQUEST_TTL_SECONDS,
    SignInRequest,
    challenge_of,
    normalized_user_code,
)
from syncoxide.server.bus.redis import PREFIX
from syncoxide.server.inputs import same_secret
from syncoxide.server.ratelimit import Limit

# KEYS[1] the window; ARGV: attempts, window seconds. Returns 0 (allowed) or the wait in ms.
_HIT = """
local now = redis.call('TIME')
local ms = tonumber(now[1]) * 1000 + math.floor(tonumber(now[2]) / 1000)
local window = tonumber(ARGV[2]) * 1000
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ms - window)
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[1]) then
  local oldest = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
  return math.max(1000, tonumber(oldest[2]) + window - ms)
end
redis.call('ZADD', KEYS[1], ms, ms .. '-' .. ARGV[3])
redis.call('PEXPIRE', KEYS[1], window)
return 0
"""


class RedisRateLimiter:
    def __init__(self, client: aioredis.Redis, prefix: str = PREFIX) -> None:
        self._hit = client.register_script(_HIT)
        self._prefix = prefix

    async def hit(self, bucket: str, key: str, limit: Limit) -> float | None:
        name = f"{self._prefix}limit:{bucket}:{key}"
        args: list[int | float | str] = [limit.attempts, limit.per_seconds, secrets.token_hex(4)]
        wait_ms = int(await self._hit(keys=[name], args=args))
        return wait_ms / 1000 if wait_ms else None


class RedisCliCodes:
    def __init__(self, client: aioredis.Redis, prefix: str = PREFIX) -> None:
        self._client = client
        self._prefix = prefix

    async def ask(self, request: SignInRequest, now: int) -> str:
        request_id = secrets.token_urlsafe(24)
        text = json.dumps(asdict(request))
        await self._client.set(self._request(request_id), text, ex=REQUEST_TTL_SECONDS)
        return request_id

    async def asked(self, request_id: str, now: int) -> SignInRequest | None:
        text = await self._client.get(self._request(request_id))
        return SignInRequest(**json.loads(text)) if text else None

    async def confirm(self, request_id: str, typed_code: str, now: int) -> SignInRequest | None:
        request = await self.asked(request_id, now)
        if request is None:
            return None
        if same_secret(normalized_user_code(typed_code), normalized_user_code(request.user_code)):
            taken = await self._client.delete(self._request(request_id))
            return request if taken else None
        wrong = self._request(request_id) + ":wrong"
        if await self._client.incr(wrong) == 1:
            await self._client.expire(wrong, REQUEST_TTL_SECONDS)
        if int(await self._client.get(wrong) or 0) >= MAX_WRONG_USER_CODES:
            await self._client.delete(self._request(request_id), wrong)
        return None

    async def file(self, challenge: str, token: str, now: int) -> str:
        code = secrets.token_urlsafe(24)
        text = json.dumps([challenge, token])
        await self._client.set(self._code(code), text, ex=CODE_TTL_SECONDS)
        return code

    async def redeem(self, code: str, verifier: str, now: int) -> str | None:
        text = await self._client.get(self._code(code))
        if not text:
            return None
        challenge, token = json.loads(text)
        if not same_secret(challenge_of(verifier), challenge):
            return None  # kept: the real command line may still swap it
        return str(token) if await self._client.delete(self._code(code)) else None

    def _request(self, request_id: str) -> str:
        return f"{self._prefix}cli-login:request:{request_id}"

    def _code(self, code: str) -> str:
        return f"{self._prefix}cli-login:code:{code}"
