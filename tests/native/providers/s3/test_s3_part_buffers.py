"""Part buffers are lent again from part to part, sized exactly, and all let go when idle."""

from __future__ import annotations

from syncoxide.native.providers.s3.part_buffers import PartBuffers


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
