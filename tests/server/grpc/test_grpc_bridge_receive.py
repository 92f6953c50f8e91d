"""The bridge's ASGI ``receive``: the body, then a wait, as an ASGI server gives a handler.

A handler that watches for the client leaving (the storage-changes long poll) calls
``receive`` past the body; an endless run of empty bodies would spin the event loop."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest

from syncoxide.server.grpc.bridge import _receive_from


async def _parts() -> AsyncIterator[bytes]:
    yield b"one"
    yield b"two"


@pytest.mark.parametrize("body", [None, "parts"])
def test_receive_gives_the_body_then_waits(body: str | None) -> None:
    async def run() -> list[bytes]:
        receive = _receive_from(_parts() if body else None)
        got = []
        while (message := await receive())["more_body"]:
            got.append(message["body"])
        assert message == {"type": "http.request", "body": b"", "more_body": False}
        with pytest.raises(TimeoutError):
            await asyncio.wait_for(receive(), 0.05)
        return got

    assert asyncio.run(run()) == ([b"one", b"two"] if body else [])
