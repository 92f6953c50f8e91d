"""Part buffers are lent again from part to part, sized exactly, and all let go when idle;
the bytes of parts held at once stay within a budget."""

from __future__ import annotations

import asyncio

from syncoxide.native.providers.s3.part_buffers import PartBuffers, PartBytesGate


def test_a_buffer_is_lent_again_while_parts_are_held_and_dropped_when_idle() -> None:
    buffers = PartBuffers()
    with buffers.lend(8) as first:
        with buffers.lend(8) as second:
            second[:] = b"x" * 8
        with buffers.lend(8) as again:
            assert again is second  # reused, not allocated anew
        with buffers.lend(3) as short:  # the last part of a file is shorter: its own size
            assert len(short) == 3
        with buffers.lend(5), buffers.lend(6):
            assert buffers.held == 3 + 1  # three lent, one kept
        assert buffers.held == 2  # never more kept than parts still held (one)
        assert len(first) == 8
    assert buffers.held == 0  # nothing held between copies


def test_a_failed_part_gives_its_buffer_back() -> None:
    buffers = PartBuffers()
    try:
        with buffers.lend(4):
            raise RuntimeError("the send failed")
    except RuntimeError:
        pass
    assert buffers.held == 0


def test_parts_held_at_once_stay_within_the_byte_budget() -> None:
    """Four streams of 8-byte parts under a 24-byte budget: three held at once, never four;
    a part larger than the budget still goes, alone."""

    async def run() -> tuple[int, list[int]]:
        gate, most, seen = PartBytesGate(24), 0, []

        async def part(size: int) -> None:
            nonlocal most
            async with gate.hold(size):
                most = max(most, gate.held)
                await asyncio.sleep(0.01)

        await asyncio.gather(*(part(8) for _ in range(10)))

        async def alone() -> None:
            async with gate.hold(40):
                seen.append(gate.held)

        await asyncio.gather(part(8), alone(), part(8))
        return most, seen

    most, seen = asyncio.run(run())
    assert most == 24
    assert seen == [40]  # held alone: the 8-byte parts waited or were done


def test_a_part_cancelled_while_waiting_or_held_lets_the_others_go() -> None:
    async def run() -> int:
        gate = PartBytesGate(8)
        first_held, release = asyncio.Event(), asyncio.Event()

        async def first() -> None:
            async with gate.hold(8):
                first_held.set()
                await release.wait()

        holder = asyncio.create_task(first())
        await first_held.wait()
        waiting = asyncio.create_task(gate.hold(8).__aenter__())
        await asyncio.sleep(0)
        waiting.cancel()  # gave up while waiting
        holder.cancel()  # failed while held
        await asyncio.gather(holder, waiting, return_exceptions=True)
        async with gate.hold(8):
            return gate.held

    assert asyncio.run(asyncio.wait_for(run(), 5)) == 8
