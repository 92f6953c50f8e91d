"""Renames onto taken names in one-way sync: swaps, cycles, chains, a rename over a file.

Each is planned as ordered move-chain steps (``syncoxide.sync.plan``): no byte is
written at the destination, and a run killed before any step is finished by the next run from
the journal with nothing lost.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import pytest

from syncoxide.errors import NotFoundError
from syncoxide.providers.memory import MemoryProvider
from syncoxide.sync.plan import PARK_PREFIX

from .sync_harness import T0, Pair, plan_lines

A, B, C = (bytes([n]) * 20_000 for n in b"ABC")


def _rename(store: MemoryProvider, old: str, new: str) -> None:
    asyncio.run(store.move(old, new))


def _synced(files: dict[str, bytes], *, two: MemoryProvider | None = None) -> Pair:
    pair = Pair()
    if two is not None:
        pair.two = two
    for number, (path, content) in enumerate(sorted(files.items())):
        pair.one.put(path, content, T0 + number * 10**9)  # moved files keep their times
    pair.run("sync")
    pair.two.calls.clear()
    pair.two.bytes_written = 0
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


def _onto(pair: Pair) -> None:  # a renamed over b
    asyncio.run(pair.one.delete("b"))
    _rename(pair.one, "a", "b")


def _chain(pair: Pair) -> None:  # b -> c, then a -> b
    _rename(pair.one, "b", "c")
    _rename(pair.one, "a", "b")


SCENARIOS: dict[str, tuple[dict[str, bytes], Callable[[Pair], None], dict[str, bytes]]] = {
    "swap": ({"a": A, "b": B}, _swap, {"a": B, "b": A}),
    "cycle": ({"a": A, "b": B, "c": C}, _cycle, {"a": C, "b": A, "c": B}),
    "onto": ({"a": A, "b": B}, _onto, {"b": A}),
    "chain": ({"a": A, "b": B}, _chain, {"b": A, "c": B}),
}


def test_a_swap_is_park_move_unpark() -> None:
    pair = _synced({"a": A, "b": B})
    _swap(pair)
    report = pair.run("sync")
    assert [a.describe() for a in report.plan.ordered()] == [
        f"rename path2: a -> {PARK_PREFIX}{_token(report)}-1 (step 1 of move chain 1)",
        "rename path2: b -> a (step 2 of move chain 1)",
        f"rename path2: {PARK_PREFIX}{_token(report)}-1 -> b (step 3 of move chain 1)",
    ]


def _token(report: object) -> str:
    return report.trash_root.rsplit("-", 1)[1]  # type: ignore[attr-defined]


def test_a_rename_over_a_file_deletes_the_occupant_then_moves() -> None:
    pair = _synced({"a": A, "b": B})
    _onto(pair)
    report = pair.run("sync")
    assert [a.describe() for a in report.plan.ordered()] == [
        "delete path2: b (overwritten by a rename onto its name) (step 1 of move chain 1)",
        "rename path2: a -> b (step 2 of move chain 1)",
    ]


def test_a_chain_moves_from_its_free_end_back() -> None:
    pair = _synced({"a": A, "b": B})
    _chain(pair)
    report = pair.run("sync")
    assert plan_lines(report) == ["rename path2 c", "rename path2 b"]


@pytest.mark.parametrize("name", sorted(SCENARIOS))
@pytest.mark.parametrize("server_side_move", [True, False])
def test_each_scenario_moves_without_writing(name: str, server_side_move: bool) -> None:
    before, change, after = SCENARIOS[name]
    two = MemoryProvider("two", server_side_move=server_side_move, server_side_copy=False)
    pair = _synced(before, two=two)
    change(pair)
    report = pair.run("sync")
    assert not report.failures
    assert pair.user_files(pair.two) == after
    moves = sum(1 for a in report.plan.actions if a.kind.value == "rename")
    if server_side_move:
        assert pair.two.bytes_written == 0 and pair.two.calls["move"] == moves
    else:  # copy + verify + delete: each move writes its file once, nothing else
        written = sum(a.source.size for a in report.plan.actions if a.kind.value == "rename")
        assert pair.two.bytes_written == written
    assert pair.run("sync").plan.actions == ()


class _Killed(BaseException):
    """Stands in for SIGKILL: nothing after it runs."""


def _die_after(store: MemoryProvider, calls: int) -> Callable[[], None]:
    """Kill the run at the destination's ``calls``-th change (move or delete)."""
    left = [calls]
    real = {name: getattr(store, name) for name in ("move", "delete", "write")}

    def wrap(name: str) -> Callable[..., object]:
        async def dying(*args: object, **kwargs: object) -> object:
            if left[0] == 0:
                raise _Killed
            left[0] -= 1
            return await real[name](*args, **kwargs)

        return dying

    for name in real:
        setattr(store, name, wrap(name))

    def restore() -> None:
        for name, method in real.items():
            setattr(store, name, method)

    return restore


@pytest.mark.parametrize("name", sorted(SCENARIOS))
def test_killed_at_each_step_loses_nothing_and_converges(name: str) -> None:
    before, change, after = SCENARIOS[name]
    steps = {"swap": 3, "cycle": 4, "onto": 2, "chain": 2}[name]
    for kill_at in range(steps):
        pair = _synced(before)
        change(pair)
        restore = _die_after(pair.two, kill_at)
        with pytest.raises(_Killed):
            pair.run("sync")
        restore()
        # Every file the destination is to end with is still there, under some name.
        assert set(after.values()) <= set(pair.two.snapshot().values()), kill_at
        report = pair.run("sync")
        assert not report.failures, (kill_at, report.failures)
        assert pair.store.journal is None
        assert pair.two.snapshot() == after, kill_at  # no parked file left behind
        assert pair.two.bytes_written == 0, kill_at
        assert pair.run("sync").plan.actions == ()


def test_a_parked_file_whose_names_are_both_taken_goes_to_the_trash() -> None:
    pair = _synced({"a": A, "b": B})
    _swap(pair)
    restore = _die_after(pair.two, 1)  # parked a, then killed
    with pytest.raises(_Killed):
        pair.run("sync")
    restore()
    pair.store.journal = None  # the journal is lost: only the parked file tells
    parked = [p for p in pair.two.snapshot() if p.startswith(PARK_PREFIX)]
    assert len(parked) == 1
    report = pair.run("sync")
    assert report.parked_recovered == 1
    assert pair.user_files(pair.two) == {"a": B, "b": A}
    kept = [c for p, c in pair.trash(pair.two).items() if "/parked-" in p]
    assert kept == [A]


def test_a_parked_file_goes_home_when_its_new_name_was_taken() -> None:
    pair = _synced({"a": A, "b": B})
    _swap(pair)
    real_move = pair.two.move

    async def b_vanishes_then_reappears(source: str, target: str) -> None:
        if (source, target) == ("b", "a"):  # someone replaced b just as it was to move
            await pair.two.delete("b")
            pair.two.put("b", b"someone else's", T0)
            raise NotFoundError("b vanished")
        await real_move(source, target)

    pair.two.move = b_vanishes_then_reappears  # type: ignore[method-assign]
    report = pair.run("sync")
    pair.two.move = real_move  # type: ignore[method-assign]
    assert any("moved back to a" in o.message for o in report.failures)
    assert pair.two.snapshot() == {"a": A, "b": b"someone else's"}
    assert not pair.run("sync").failures
    assert pair.two.snapshot() == {"a": B, "b": A}
    assert pair.two.bytes_written == len(B)  # b moved to a; only a's new bytes travelled


def test_a_file_hashed_for_renames_is_not_read_again_by_its_copy() -> None:
    pair = _synced({"a": A, "b": B})
    pair.one.put("a", A, T0 + 50 * 10**9)  # touched: same bytes, a new time
    pair.one.put("b", C, T0 + 60 * 10**9)  # edited: same size, other bytes
    pair.one.calls.clear()
    report = pair.run("sync")
    assert pair.user_files(pair.two) == {"a": A, "b": C}
    assert not report.failures
    # a and b share a size, so each side hashed both once to look for renames; the touched
    # copy then compared those digests instead of reading the files again.
    assert pair.one.calls["hash"] == 2 and pair.two.calls["hash"] == 2
    assert pair.two.bytes_written == len(C)
