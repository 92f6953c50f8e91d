"""The lean CopyObject's replies that the servers here never give: a 412 for a refused
condition (AWS honours If-None-Match and x-amz-copy-source-if-match on a copy; rclone serve
s3 and moto 5.2 ignore both) and a 200 whose body is an error (AWS may fail a copy after it
sent the status). A fake HTTP server gives them; the ordinary replies are tested against the
real servers in ``test_s3_move_requests``."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager

import pytest
from aiohttp import web

from syncoxide.native.net.http_pool import HttpPool
from syncoxide.native.providers.s3.errors import PreconditionFailedError
from syncoxide.native.providers.s3.lean import CopyGuard, HeadSigner, lean_copy

OK = b'<?xml version="1.0"?><CopyObjectResult><ETag>&quot;abc&quot;</ETag></CopyObjectResult>'
FAILED_LATE = b"<Error><Code>InternalError</Code><Message>late</Message></Error>"


@asynccontextmanager
async def _fake_s3(answer: Callable[[web.Request], web.Response]) -> AsyncIterator[str]:
    """A fake S3 endpoint that answers every request with ``answer``."""

    async def handle(request: web.Request) -> web.Response:
        return answer(request)

    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", handle)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        await runner.cleanup()


async def _copy(endpoint: str, guard: CopyGuard | None) -> str | None:
    signer = HeadSigner(endpoint, "us-east-1", "KEYKEYKEYKEY", "secret")
    async with HttpPool(endpoint, limit=1, timeouts=(10, 60)) as session:
        return await lean_copy(session, signer, "b", ("d/old", "d/new"), guard=guard)


def _answer(status: int, body: bytes, seen: list[web.Request]) -> Callable[..., web.Response]:
    def answer(request: web.Request) -> web.Response:
        seen.append(request)
        return web.Response(status=status, body=body)

    return answer


def test_a_copy_sends_its_conditions_and_returns_the_new_etag() -> None:
    seen: list[web.Request] = []

    async def run() -> str | None:
        async with _fake_s3(_answer(200, OK, seen)) as endpoint:
            return await _copy(endpoint, CopyGuard("e1"))

    assert asyncio.run(run()) == '"abc"'
    headers = seen[0].headers
    assert (seen[0].method, seen[0].path) == ("PUT", "/b/d/new")
    assert headers["x-amz-copy-source"] == "/b/d/old"
    assert headers["If-None-Match"] == "*"
    assert headers["x-amz-copy-source-if-match"] == '"e1"'
    assert headers["x-amz-metadata-directive"] == "COPY"


def test_a_refused_condition_is_a_precondition_failure() -> None:
    async def run() -> None:
        async with _fake_s3(
            _answer(412, b"<Error><Code>PreconditionFailed</Code></Error>", [])
        ) as e:
            await _copy(e, CopyGuard("e1"))

    with pytest.raises(PreconditionFailedError):
        asyncio.run(run())


@pytest.mark.parametrize(("status", "body"), [(200, FAILED_LATE), (500, b""), (403, b"")])
def test_any_other_reply_goes_back_to_botocore(status: int, body: bytes) -> None:
    async def run() -> str | None:
        async with _fake_s3(_answer(status, body, [])) as endpoint:
            return await _copy(endpoint, None)

    assert asyncio.run(run()) is None
