"""Renames carried by bisync, end to end through the engine on memory stores.

Each scenario renames on one side (and maybe edits on either), runs bisync, and checks the
plan, both trees, the trash, and the other side's own counters: a carried rename is one move
and writes no file content; the next run has nothing to do.
"""

from __future__ import annotations

import asyncio

import pytest

from syncoxide.providers.memory import MemoryProvider

from .sync_harness import T0, Pair, plan_lines

BIG = bytes(range(256)) * 64  # 16 KiB


def _rename(store: MemoryProvider, old: str, new: str) -> None:
    asyncio.run(store.move(old, new))


def _synced(**files: bytes) -> Pair:
    pair = Pair()
    for path, content in files.items():
        pair.one.put(path.replace("__", "/"), content, T0)
    pair.run()
    for side in (pair.one, pair.two):
        side.calls.clear()
        side.bytes_written = 0
    return pair


def _settled(pair: Pair) -> None:
    assert pair.user_files(pair.one) == pair.user_files(pair.two)
    assert pair.run().plan.actions == ()


def test_a_renamed_file_is_moved_on_the_other_side() -> None:
    pair = _synced(a=BIG, keep=b"k")
    _rename(pair.one, "a", "b")
    report = pair.run()
    assert plan_lines(report) == ["rename path2 b"]
    assert pair.user_files(pair.two) == {"b": BIG, "keep": b"k"}
    assert pair.two.calls["move"] == 1 and pair.two.bytes_written == 0
    assert pair.trash(pair.two) == {}
    _settled(pair)


def test_a_rename_on_path2_is_carried_to_path1() -> None:
    pair = _synced(a=BIG)
    _rename(pair.two, "a", "b")
    assert plan_lines(pair.run()) == ["rename path1 b"]
    assert pair.one.snapshot() == {"b": BIG} and pair.one.bytes_written == 0
    _settled(pair)


def test_a_file_moved_across_folders_lands_in_its_new_folder() -> None:
    pair = _synced(x__deep__f=BIG, x__other=b"stay")
    _rename(pair.one, "x/deep/f", "y/z/f")
    report = pair.run()
    assert plan_lines(report) == [
        "mkdir path2 y",
        "mkdir path2 y/z",
        "rename path2 y/z/f",
    ]  # x/deep stays: the move left it, empty, on path1 too
    assert pair.user_files(pair.two) == {"y/z/f": BIG, "x/other": b"stay"}
    assert pair.two.bytes_written == 0
    _settled(pair)


def test_a_renamed_folder_moves_every_file_and_drops_the_old_folder() -> None:
    files = {f"big__f{i}": BIG + bytes([i]) for i in range(5)}
    pair = _synced(**files)
    _rename(pair.one, "big", "large")
    pair.run()
    assert pair.user_files(pair.two) == {f"large/f{i}": BIG + bytes([i]) for i in range(5)}
    assert pair.two.calls["move"] == 5 and pair.two.bytes_written == 0
    assert "big" not in pair.two.directories()
    _settled(pair)


def test_swapped_names_are_swapped_by_moves_and_nothing_is_lost() -> None:
    pair = _synced(a=b"A" * 100)
    pair.one.put("b", b"B" * 100, T0 + 10**9)
    pair.run()
    pair.two.bytes_written = 0
    _rename(pair.one, "a", "tmp")
    _rename(pair.one, "b", "a")
    _rename(pair.one, "tmp", "b")
    pair.run()
    assert pair.user_files(pair.two) == {"a": b"B" * 100, "b": b"A" * 100}
    assert pair.trash(pair.two) == {}  # no version was overwritten: each only moved
    assert pair.two.bytes_written == 0
    _settled(pair)


def test_rename_plus_edit_on_the_same_side_is_a_new_file_and_the_old_one_trashed() -> None:
    pair = _synced(a=BIG)
    _rename(pair.one, "a", "b")
    pair.one.put("b", BIG[:-1] + b"!", T0 + 5)  # same size, other bytes, other time
    report = pair.run()
    assert sorted(plan_lines(report)) == ["copy path2 b", "trash path2 a"]
    assert pair.user_files(pair.two) == {"b": BIG[:-1] + b"!"}
    assert list(pair.trash(pair.two).values()) == [BIG]
    _settled(pair)


def test_an_edit_on_the_other_side_follows_the_file_to_its_new_name() -> None:
    pair = _synced(a=BIG)
    _rename(pair.one, "a", "b")
    edited = BIG + b" edited on two"
    pair.two.put("a", edited, T0 + 9)
    report = pair.run()
    assert plan_lines(report) == ["rename path2 b", "copy path1 b"]
    assert pair.user_files(pair.one) == pair.user_files(pair.two) == {"b": edited}
    assert list(pair.trash(pair.one).values()) == [BIG]  # the renamed old bytes, kept
    assert pair.two.bytes_written == 0
    _settled(pair)


def test_renames_to_different_names_on_both_sides_keep_both() -> None:
    pair = _synced(a=BIG)
    _rename(pair.one, "a", "from-one")
    _rename(pair.two, "a", "from-two")
    pair.run()
    assert pair.user_files(pair.one) == {"from-one": BIG, "from-two": BIG}
    _settled(pair)


def test_the_same_rename_on_both_sides_settles_without_copies() -> None:
    pair = _synced(a=BIG)
    _rename(pair.one, "a", "b")
    _rename(pair.two, "a", "b")
    assert pair.run().plan.actions == ()
    _settled(pair)


def test_a_delete_on_one_side_and_a_rename_on_the_other_keeps_the_renamed_file() -> None:
    pair = _synced(a=BIG, keep=b"k")
    _rename(pair.one, "a", "b")
    pair.two._objects.pop("a")
    pair.run()
    assert pair.user_files(pair.one) == pair.user_files(pair.two) == {"b": BIG, "keep": b"k"}
    _settled(pair)


def test_a_rename_facing_a_file_already_at_the_new_name_is_not_a_move() -> None:
    pair = _synced(a=BIG)
    _rename(pair.one, "a", "b")
    pair.two.put("b", b"other bytes", T0 + 3)
    pair.run(policy="keep-both")
    versions = set(pair.user_files(pair.one).values())
    assert {BIG, b"other bytes"} <= versions | set(pair.trash(pair.one).values())
    _settled(pair)


def test_a_guess_on_size_and_mtime_is_verified_and_a_mismatch_is_copied() -> None:
    pair = _synced(a=BIG)
    state = pair.store
    _rename(pair.one, "a", "b")
    pair.one.put("b", BIG[:-1] + b"?", T0)  # same size, same time, other bytes
    report = pair.run()
    assert "rename path2 b" not in plan_lines(report)
    assert pair.user_files(pair.two) == {"b": BIG[:-1] + b"?"}
    assert list(pair.trash(pair.two).values()) == [BIG]
    assert state.journal is None
    _settled(pair)


def test_without_rename_tracking_a_rename_is_a_trash_and_a_copy() -> None:
    pair = _synced(a=BIG)
    _rename(pair.one, "a", "b")
    report = pair.run(track_renames=False)
    assert sorted(plan_lines(report)) == ["copy path2 b", "trash path2 a"]
    assert pair.user_files(pair.two) == {"b": BIG}


def test_without_server_side_move_the_copy_is_verified_then_the_original_deleted() -> None:
    pair = Pair()
    pair.two = MemoryProvider("two", server_side_move=False, server_side_copy=False)
    pair.one.put("a", BIG, T0)
    pair.run()
    _rename(pair.one, "a", "b")
    report = pair.run()
    assert plan_lines(report) == ["rename path2 b"] and not report.failures
    assert pair.user_files(pair.two) == {"b": BIG}
    _settled(pair)


class _Killed(BaseException):
    """Stands in for SIGKILL: nothing after it runs."""


@pytest.mark.parametrize("moves", [0, 1, 3])
def test_bisync_renames_killed_midway_resume_from_the_journal(moves: int) -> None:
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
        pair.run()
    assert pair.store.journal is not None
    pair.two.move = real_move  # type: ignore[method-assign]
    report = pair.run()
    assert not report.failures and pair.store.journal is None
    expected = {f"g{i}": BIG + bytes([i]) for i in range(4)}
    assert pair.user_files(pair.one) == pair.user_files(pair.two) == expected
    assert pair.two.bytes_written == 0
    _settled(pair)


def test_a_failed_move_keeps_both_names_and_the_next_run_carries_it() -> None:
    pair = Pair()
    pair.two = MemoryProvider("two", server_side_move=False, server_side_copy=False)
    pair.one.put("a", BIG, T0)
    pair.one.put("keep", b"k", T0)
    pair.run()
    _rename(pair.one, "a", "b")
    pair.two.corrupt_next_writes = 10
    report = pair.run()
    assert report.failures
    assert pair.user_files(pair.two) == {"a": BIG, "keep": b"k"}  # nothing half-written
    pair.two.corrupt_next_writes = 0
    assert plan_lines(pair.run()) == ["rename path2 b"]
    assert pair.user_files(pair.two) == {"b": BIG, "keep": b"k"}
    _settled(pair)
