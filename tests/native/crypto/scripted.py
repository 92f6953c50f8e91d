"""Test doubles for the crypto tests: scripted randomness and in-memory byte streams."""

from __future__ import annotations

import asyncio
import io
from collections.abc import Awaitable, Callable
from typing import TypeVar

from syncoxide.crypto import stream
from syncoxide.crypto.keys import SecretBytes
from syncoxide.native.crypto.backend import CryptographyBackend

T = TypeVar("T")
BACKEND = CryptographyBackend()


class ScriptedRandom:
    """Hands out exactly the given byte strings, in order, checking each requested size."""

    def __init__(self, *values: bytes) -> None:
        self._values = list(values)

    def token_bytes(self, count: int) -> bytes:
        value = self._values.pop(0)
        assert len(value) == count, f"asked for {count} bytes, script has {len(value)}"
        return value


def run(coroutine: Awaitable[T]) -> T:
    async def wrapper() -> T:
        return await coroutine

    return asyncio.run(wrapper())


def reader(data: bytes) -> stream.Read:
    source = io.BytesIO(data)

    async def read(size: int) -> bytes:
        return source.read(size)

    return read


def collector() -> tuple[list[bytes], Callable[[bytes], Awaitable[None]]]:
    parts: list[bytes] = []

    async def write(data: bytes) -> None:
        parts.append(data)

    return parts, write


async def seal(master: SecretBytes, plaintext: bytes, random: object, chunk_log2: int = 6) -> bytes:
    sealer = await stream.FileSealer.create(BACKEND, master, random, chunk_log2)  # type: ignore[arg-type]
    parts, write = collector()
    await stream.seal_stream(sealer, reader(plaintext), write)
    return b"".join(parts)


async def open_all(master: SecretBytes, ciphertext: bytes) -> bytes:
    read = reader(ciphertext)
    header = await stream.read_header(read)
    opener = await stream.FileOpener.create(BACKEND, master, header)
    parts, write = collector()
    await stream.open_stream(opener, read, write)
    return b"".join(parts)
