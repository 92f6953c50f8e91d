"""Renames onto taken names carried by bisync: swaps, cycles, a rename over a file.

Each is carried to the other side as ordered move-chain steps: no file content is written
there, a version that is overwritten goes to the trash first, and a run killed before any step
is finished by the next run from its journal, with nothing lost and the sides converged.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import pytest

from syncoxide.providers.memory import MemoryProvider

from .sync_harness import T0, Pair
from .test_sync_swaps import _die_after, _Killed

A, B, C = (bytes([n]) * 20_000 for n in b"ABC")


def _rename(store: MemoryProvider, old: str, new: str) -> None:
    asyncio.run(store.move(old, new))


def _synced(files: dict[str, bytes]) -> Pair:
    pair = Pair()
    for number, (path, content) in enumerate(sorted(files.items())):
        pair.one.put(path, content, T0 + number * 10**9)
    pair.run()
    for side in (pair.one, pair.two):
        side.calls.clear()
        side.bytes_written = 0
    return pair


def _swap(pair: Pair) -> None:
    _rename(pair.one, "a", "t")
    _rename(pair.one, "b", "a")
    _rename(pair.one, "t", "b")


def _cycle(pair: Pair) -> None:  # a -> b -> c -> a
    _rename(pair.one, "c", "t")
    _rename(pair.one, "b", "c")
    _rename(pair.one, "a", "b")
    _rename(pair.one, "t", "a")


def _onto(pair: Pair) -> None:  # a renamed over b on path1
    asyncio.run(pair.one.delete("b"))
    _rename(pair.one, "a", "b")


# (files before, the change on path1, both sides after, what path2's trash must hold)
SCENARIOS: dict[str, tuple[dict[str, bytes], Callable[[Pair], None], dict[str, bytes], list]] = {
    "swap": ({"a": A, "b": B}, _swap, {"a": B, "b": A}, []),
    "cycle": ({"a": A, "b": B, "c": C}, _cycle, {"a": C, "b": A, "c": B}, []),
    "onto": ({"a": A, "b": B}, _onto, {"b": A}, [B]),
}
STEPS = {"swap": 3, "cycle": 4, "onto": 2}


@pytest.mark.parametrize("name", sorted(SCENARIOS))
def test_each_is_carried_as_moves(name: str) -> None:
    before, change, after, trashed = SCENARIOS[name]
    pair = _synced(before)
    change(pair)
    report = pair.run()
    assert not report.failures
    assert [a.step for a in report.plan.ordered()] == list(range(1, STEPS[name] + 1))
    assert pair.user_files(pair.one) == pair.user_files(pair.two) == after
    assert sorted(pair.trash(pair.two).values()) == trashed
    assert pair.two.bytes_written == 0 and pair.one.bytes_written == 0
    assert pair.run().plan.actions == ()


@pytest.mark.parametrize("name", sorted(SCENARIOS))
def test_killed_at_each_step_loses_nothing_and_converges(name: str) -> None:
    before, change, after, trashed = SCENARIOS[name]
    for kill_at in range(STEPS[name]):
        pair = _synced(before)
        change(pair)
        restore = _die_after(pair.two, kill_at)
        with pytest.raises(_Killed):
            pair.run()
        restore()
        kept = set(pair.two.snapshot().values())
        assert set(after.values()) | set(trashed) <= kept, kill_at
        report = pair.run()
        assert not report.failures, (kill_at, report.failures)
        assert pair.store.journal is None
        assert pair.user_files(pair.one) == pair.user_files(pair.two) == after, kill_at
        assert sorted(pair.trash(pair.two).values()) == trashed, kill_at
        assert pair.two.bytes_written == 0, kill_at
        assert pair.run().plan.actions == ()


def test_a_rename_over_a_file_the_other_side_edited_keeps_both_versions() -> None:
    pair = _synced({"a": A, "b": B})
    _onto(pair)
    pair.two.put("b", b"edited on path2", T0 + 99 * 10**9)
    report = pair.run()
    assert not report.failures
    # Not a carried rename (the other side's "b" changed): the usual conflict rules decide,
    # and every version is kept, on a side or in its trash.
    everything = [
        *pair.one.snapshot().values(),
        *pair.two.snapshot().values(),
    ]
    assert A in everything and b"edited on path2" in everything
    assert pair.user_files(pair.one) == pair.user_files(pair.two)
    assert pair.run().plan.actions == ()
