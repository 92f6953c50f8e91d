"""What goes into borg's stdin: small pieces of a tar stream gathered into large writes, the
bytes unchanged and in order."""

from __future__ import annotations

import asyncio
import random
from collections.abc import AsyncIterator

from syncoxide.native.backup.process import PIPE_WRITE, coalesced


async def _pieces(sizes: list[int]) -> AsyncIterator[bytes]:
    for number, size in enumerate(sizes):
        yield bytes([number % 251]) * size


async def _written(sizes: list[int], at_least: int = PIPE_WRITE) -> list[bytes]:
    return [piece async for piece in coalesced(_pieces(sizes), at_least)]


def test_small_pieces_are_gathered_into_writes_of_at_least_the_pipe_write() -> None:
    chance = random.Random(7)
    sizes = [chance.choice((512, chance.randint(1, 65536), 0)) for _ in range(3000)]
    written = asyncio.run(_written(sizes))
    expected = b"".join(bytes([n % 251]) * size for n, size in enumerate(sizes))
    assert b"".join(written) == expected
    assert all(len(piece) >= PIPE_WRITE for piece in written[:-1])
    assert len(written) <= len(expected) // PIPE_WRITE + 1


def test_a_big_piece_passes_as_it_is_after_what_was_gathered_before_it() -> None:
    written = asyncio.run(_written([10, 5000, 20], at_least=1000))
    assert [len(piece) for piece in written] == [5010, 20]
    written = asyncio.run(_written([5000, 10], at_least=1000))
    assert [len(piece) for piece in written] == [5000, 10]


def test_an_empty_stream_writes_nothing() -> None:
    assert asyncio.run(_written([])) == []
    assert asyncio.run(_written([0, 0])) == []
