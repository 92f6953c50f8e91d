"""Rename detection in one-way sync, end to end through the engine on memory stores.

Each scenario checks the plan, the trees after the run, and the store's own counters: a
detected rename moves no bytes (no write at the destination), and the next run has nothing
to do.
"""

from __future__ import annotations

import pytest

from .sync_harness import T0, Pair, plan_lines

BIG = bytes(range(256)) * 64  # 16 KiB


def _rename(store: object, old: str, new: str) -> None:
    import asyncio

    asyncio.run(store.move(old, new))  # type: ignore[attr-defined]


def _synced(**files: bytes) -> Pair:
    pair = Pair()
    for path, content in files.items():
        pair.one.put(path.replace("__", "/"), content, T0)
    pair.run("sync")
    pair.two.calls.clear()
    pair.two.bytes_written = 0
    return pair


def test_a_renamed_file_is_moved_not_copied() -> None:
    pair = _synced(a=BIG)
    _rename(pair.one, "a", "b")
    report = pair.run("sync")
    assert plan_lines(report) == ["rename path2 b"]
    assert pair.two.snapshot() == {"b": BIG}
    assert pair.two.calls["move"] == 1 and pair.two.bytes_written == 0
    assert pair.run("sync").plan.actions == ()


def test_a_file_moved_across_folders_lands_in_its_new_folder() -> None:
    pair = _synced(x__deep__f=BIG, x__other=b"stay")
    _rename(pair.one, "x/deep/f", "y/z/f")
    report = pair.run("sync")
    assert plan_lines(report) == [
        "mkdir path2 y",
        "mkdir path2 y/z",
        "rename path2 y/z/f",
    ]
    assert pair.two.snapshot() == {"y/z/f": BIG, "x/other": b"stay"}  # x/deep: still in one
    assert pair.two.bytes_written == 0


def test_a_folder_of_files_renamed_moves_every_file() -> None:
    files = {f"big__f{i}": BIG + bytes([i]) for i in range(5)}
    pair = _synced(**files)
    _rename(pair.one, "big", "large")
    pair.run("sync")
    assert pair.two.snapshot() == {f"large/f{i}": BIG + bytes([i]) for i in range(5)}
    assert pair.two.calls["move"] == 5 and pair.two.bytes_written == 0
    assert "big" not in pair.two.directories()


def test_swapped_names_are_swapped_by_moves() -> None:
    pair = _synced(a=b"A" * 100, b=b"B" * 100)
    _rename(pair.one, "a", "tmp")
    _rename(pair.one, "b", "a")
    _rename(pair.one, "tmp", "b")
    report = pair.run("sync", checksum=True)
    assert pair.two.snapshot() == {"a": b"B" * 100, "b": b"A" * 100}
    assert {line.split()[0] for line in plan_lines(report)} == {"rename"}
    assert pair.two.bytes_written == 0


def test_rename_plus_edit_is_a_copy_and_a_delete() -> None:
    pair = _synced(a=BIG)
    _rename(pair.one, "a", "b")
    pair.one.put("b", BIG[:-1] + b"!", T0 + 5)  # same size, other bytes
    report = pair.run("sync")
    assert plan_lines(report) == ["copy path2 b", "delete path2 a"]
    assert pair.two.snapshot() == {"b": BIG[:-1] + b"!"}


def test_renamed_file_with_new_mtime_is_moved_then_stamped() -> None:
    pair = _synced(a=BIG)
    _rename(pair.one, "a", "b")
    asyncio_run_set_mtime(pair, "b", T0 + 10**9)
    report = pair.run("sync")
    assert plan_lines(report) == ["rename path2 b", "copy path2 b"]
    assert pair.two.bytes_written == 0
    assert pair.two.read("b") == BIG
    assert pair.run("sync").plan.actions == ()


def test_a_touched_file_and_a_new_copy_of_it_both_arrive_whole() -> None:
    """``t`` only touched on the source and ``n`` a new copy of it, with other files around
    (only rename candidates are compared for equal bytes): both end up whole."""
    pair = _synced(t=BIG, other=b"x" * 100)
    asyncio_run_set_mtime(pair, "t", T0 + 10**9)
    pair.one.put("n", BIG, T0 + 2 * 10**9)
    report = pair.run("sync")
    assert report.failures == []
    assert pair.two.snapshot() == {"t": BIG, "n": BIG, "other": b"x" * 100}
    assert pair.run("sync").plan.actions == ()


def asyncio_run_set_mtime(pair: Pair, path: str, mtime_ns: int) -> None:
    import asyncio

    asyncio.run(pair.one.set_mtime(path, mtime_ns))


def test_two_identical_files_renamed_pair_up_by_mtime() -> None:
    pair = Pair()
    pair.one.put("one", BIG, T0)
    pair.one.put("two", BIG, T0 + 1)
    pair.run("sync")
    _rename(pair.one, "one", "uno")
    _rename(pair.one, "two", "dos")
    pair.two.bytes_written = 0
    pair.run("sync")
    assert pair.two.snapshot() == {"uno": BIG, "dos": BIG}
    assert pair.two.bytes_written == 0
    assert pair.run("sync").plan.actions == ()


def test_empty_files_are_not_tracked() -> None:
    pair = _synced(a=b"")
    _rename(pair.one, "a", "b")
    report = pair.run("sync")
    assert plan_lines(report) == ["copy path2 b", "delete path2 a"]


def test_copy_mode_never_tracks_renames() -> None:
    pair = Pair()
    pair.one.put("a", BIG, T0)
    pair.run("copy")
    _rename(pair.one, "a", "b")
    report = pair.run("copy")
    assert plan_lines(report) == ["copy path2 b"]
    assert pair.two.snapshot() == {"a": BIG, "b": BIG}


def test_without_server_side_move_a_server_side_copy_then_delete() -> None:
    pair = Pair()
    from syncoxide.providers.memory import MemoryProvider

    pair.two = MemoryProvider("two", server_side_move=False)
    pair.one.put("a", BIG, T0)
    pair.run("sync")
    pair.two.bytes_written = 0
    _rename(pair.one, "a", "b")
    report = pair.run("sync")
    assert plan_lines(report) == ["rename path2 b"] and not report.failures
    assert pair.two.calls["copy"] == 1 and pair.two.calls["move"] == 0
    assert pair.two.bytes_written == 0 and pair.two.snapshot() == {"b": BIG}


def test_without_server_side_move_or_copy_the_bytes_stream_verified() -> None:
    pair = Pair()
    from syncoxide.providers.memory import MemoryProvider

    pair.two = MemoryProvider("two", server_side_move=False, server_side_copy=False)
    pair.one.put("a", BIG, T0)
    pair.run("sync")
    pair.two.bytes_written = 0
    _rename(pair.one, "a", "b")
    report = pair.run("sync")
    assert plan_lines(report) == ["rename path2 b"] and not report.failures
    assert pair.two.calls["copy"] == 0 and pair.two.bytes_written == len(BIG)
    assert pair.two.snapshot() == {"b": BIG}


def test_a_rename_whose_copy_is_corrupted_keeps_the_original() -> None:
    pair = Pair()
    from syncoxide.providers.memory import MemoryProvider

    pair.two = MemoryProvider("two", server_side_move=False, server_side_copy=False)
    pair.one.put("a", BIG, T0)
    pair.run("sync")
    _rename(pair.one, "a", "b")
    pair.two.corrupt_next_writes = 10
    report = pair.run("sync")
    assert report.failures
    assert pair.two.snapshot() == {"a": BIG}  # nothing lost, nothing half-written
    pair.two.corrupt_next_writes = 0
    pair.run("sync")
    assert pair.two.snapshot() == {"b": BIG}


class _Killed(BaseException):
    """Stands in for SIGKILL: nothing after it runs."""


@pytest.mark.parametrize("moves", [0, 1, 3])
def test_renames_killed_midway_resume_from_the_journal(moves: int) -> None:
    files = {f"f{i}": BIG + bytes([i]) for i in range(4)}
    pair = _synced(**files)
    for i in range(4):
        _rename(pair.one, f"f{i}", f"g{i}")
    real_move = pair.two.move
    left = [moves]

    async def dying_move(source: str, target: str) -> None:
        if left[0] == 0:
            raise _Killed
        left[0] -= 1
        await real_move(source, target)

    pair.two.move = dying_move  # type: ignore[method-assign]
    with pytest.raises(_Killed):
        pair.run("sync")
    pair.two.move = real_move  # type: ignore[method-assign]
    report = pair.run("sync")
    assert not report.failures and pair.store.journal is None
    assert pair.two.snapshot() == {f"g{i}": BIG + bytes([i]) for i in range(4)}
    assert pair.two.bytes_written == 0
    assert pair.run("sync").plan.actions == ()
