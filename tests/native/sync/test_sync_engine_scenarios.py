"""Golden end-to-end scenarios on memory providers: trees + script -> plan + trees."""

import asyncio

import pytest

from syncoxide.errors import SafetyLimitError
from syncoxide.providers.memory import MemoryProvider
from syncoxide.sync.filters import compile_rule

from .sync_harness import T0, Pair, plan_lines


def test_copy_then_nothing_to_do() -> None:
    pair = Pair()
    pair.one.put("a/b.txt", b"bee", T0)
    pair.one.put("top", b"t", T0)
    pair.two.put("extra", b"stays", T0)
    report = pair.run("copy")
    assert plan_lines(report) == ["mkdir path2 a", "copy path2 a/b.txt", "copy path2 top"]
    assert pair.two.snapshot() == {"a/b.txt": b"bee", "top": b"t", "extra": b"stays"}
    assert pair.two.snapshot() and pair.run("copy").plan.actions == ()


def test_sync_mirrors_including_empty_folders() -> None:
    pair = Pair()
    pair.one.put("keep", b"k", T0)
    pair.run("copy")
    pair.two.put("old/x", b"x", T0)
    report = pair.run("sync")
    assert plan_lines(report) == ["delete path2 old/x", "rmdir path2 old"]
    assert pair.two.snapshot() == {"keep": b"k"} and pair.two.directories() == set()


def test_move_deletes_source_only_after_verified_copy() -> None:
    pair = Pair()
    pair.one.put("d/m1", b"1" * 100, T0)
    pair.one.put("twin", b"same", T0)
    pair.two.put("twin", b"same", T0)
    pair.run("move")
    assert pair.one.snapshot() == {} and pair.one.directories() == set()
    assert pair.two.snapshot() == {"d/m1": b"1" * 100, "twin": b"same"}


def test_move_keeps_source_when_twin_differs_by_content() -> None:
    pair = Pair()
    pair.one.put("twin", b"AAAA", T0)
    pair.two.put("twin", b"BBBB", T0)  # same size and time, other bytes
    pair.run("move")
    assert pair.one.snapshot() == {} and pair.two.snapshot() == {"twin": b"AAAA"}


def test_rename_in_sync_mode_without_tracking_is_copy_plus_delete() -> None:
    pair = Pair()
    pair.one.put("old-name", b"content", T0)
    pair.run("sync")
    pair.one._objects["new-name"] = pair.one._objects.pop("old-name")
    pair.one._names.pop("old-name", None)
    report = pair.run("sync", track_renames=False)
    assert plan_lines(report) == ["copy path2 new-name", "delete path2 old-name"]
    assert pair.two.snapshot() == {"new-name": b"content"}


def test_bisync_rename_untracked_moves_old_name_to_trash() -> None:
    pair = Pair()
    pair.one.put("old", b"v", T0)
    pair.run()
    pair.one._objects["new"] = pair.one._objects.pop("old")
    report = pair.run(
        track_renames=False
    )  # tracked renames: tests/native/sync/test_bisync_renames.py
    assert plan_lines(report) == ["trash path2 old", "copy path2 new"]
    assert pair.user_files(pair.two) == {"new": b"v"}
    assert list(pair.trash(pair.two).values()) == [b"v"]
    assert pair.run().plan.actions == ()


@pytest.mark.parametrize(
    ("policy", "one_after", "trash_side"),
    [
        ("newer", b"two-newer", "one"),
        ("older", b"one-older!", "two"),
        ("larger", b"one-older!", "two"),
        ("path1", b"one-older!", "two"),
        ("path2", b"two-newer", "one"),
    ],
)
def test_bisync_conflict_policies(policy: str, one_after: bytes, trash_side: str) -> None:
    pair = Pair()
    pair.one.put("doc", b"base", T0)
    pair.run()
    pair.one.put("doc", b"one-older!", T0 + 10**9)
    pair.two.put("doc", b"two-newer", T0 + 5 * 10**9)
    report = pair.run(policy=policy)
    assert [c.policy for c in report.plan.conflicts] == [policy]
    assert pair.user_files(pair.one) == pair.user_files(pair.two) == {"doc": one_after}
    loser = pair.one if trash_side == "one" else pair.two
    assert sorted(pair.trash(loser).values()) == [
        b"one-older!" if trash_side == "one" else b"two-newer"
    ]
    assert pair.run(policy=policy).plan.actions == ()


def test_bisync_keep_both_names_the_loser() -> None:
    pair = Pair()
    pair.one.put("notes.txt", b"base", T0)
    pair.run()
    pair.one.put("notes.txt", b"from one", T0 + 10**9)
    pair.two.put("notes.txt", b"from two!", T0 + 2 * 10**9)
    pair.run(policy="keep-both")
    stamp = "20231114-221420"  # FixedClock after one run (+60 s)
    expected = {"notes.txt": b"from two!", f"notes.conflict-{stamp}-path1.txt": b"from one"}
    assert pair.user_files(pair.one) == pair.user_files(pair.two) == expected
    assert pair.run(policy="keep-both").plan.actions == ()


def test_bisync_delete_versus_change_keeps_the_change() -> None:
    pair = Pair()
    pair.one.put("x", b"v1", T0)
    pair.run()
    del pair.one._objects["x"]
    pair.two.put("x", b"v2 changed", T0 + 10**9)
    pair.run(allow_empty_side=True)  # path1 is empty: its only file was deleted
    assert pair.user_files(pair.one) == pair.user_files(pair.two) == {"x": b"v2 changed"}


def test_bisync_delete_goes_to_trash_and_can_be_restored() -> None:
    import asyncio

    from syncoxide.engine.run import pair_id
    from syncoxide.engine.trash import list_trash, restore
    from syncoxide.sync.plan import Side

    pair = Pair()
    pair.one.put("precious", b"data", T0)
    pair.run()
    del pair.two._objects["precious"]
    pair.run(allow_empty_side=True)  # path2's only file was deleted on purpose
    assert pair.user_files(pair.one) == {}
    pid = pair_id(pair.one, pair.two)
    items = asyncio.run(list_trash(pair.one, Side.PATH1, pid))
    assert [(i.path, i.size) for i in items] == [("precious", 4)]
    asyncio.run(restore(pair.one, pid, items[0].run, "precious", stamp="20990101-000000"))
    pair.run()
    assert pair.user_files(pair.one) == pair.user_files(pair.two) == {"precious": b"data"}


def test_bisync_unicode_nfd_nfc_and_empty_dirs() -> None:
    pair = Pair()
    pair.one.put("cafe\u0301/x", b"1", T0)
    pair.two.put("caf\u00e9/x", b"1", T0)
    pair.one.put("e/.keep", b"", T0)
    del pair.one._objects["e/.keep"]
    report = pair.run()
    assert plan_lines(report) == ["mkdir path2 e"]
    assert pair.two.directories() == {"caf\u00e9", "e"}
    assert pair.run().plan.actions == ()


def test_bisync_case_insensitive_pairs_names() -> None:
    pair = Pair(case_sensitive=False)
    pair.one.put("Readme.md", b"r", T0)
    pair.two.put("README.md", b"r", T0)
    assert pair.run().plan.actions == ()


def test_corrupted_write_is_retried_then_committed() -> None:
    pair = Pair()
    pair.one.put("f", b"payload", T0)
    pair.two.corrupt_next_writes = 2
    report = pair.run("copy")
    assert not report.failures and pair.two.snapshot() == {"f": b"payload"}


def test_persistent_corruption_fails_the_file_and_commits_nothing() -> None:
    pair = Pair()
    pair.one.put("f", b"payload", T0)
    pair.one.put("g", b"fine", T0)
    pair.two.put("f", b"old", T0 - 10**9)
    pair.two.corrupt_next_writes = 3
    report = pair.run("copy", transfers=1)
    assert [o.action.path for o in report.failures] == ["f"]
    assert "verification 3 times" in report.failures[0].message
    assert pair.two.snapshot() == {"f": b"old", "g": b"fine"}


def test_failed_bisync_copy_is_retried_next_run() -> None:
    pair = Pair()
    pair.one.put("f", b"v1", T0)
    pair.run()
    pair.one.put("f", b"v2!", T0 + 10**9)
    pair.two.failing_paths.add("f")
    assert len(pair.run().failures) == 1
    pair.two.failing_paths.clear()
    # The failed copy left its replaced version in the trash, so path2 lists empty: a pair
    # this small hits the empty-side stop, which the user lifts once.
    pair.run(allow_empty_side=True)
    assert pair.user_files(pair.two) == {"f": b"v2!"}


def test_max_delete_stops_before_any_change() -> None:
    pair = Pair()
    for i in range(5):
        pair.two.put(f"f{i}", b"x", T0)
    with pytest.raises(SafetyLimitError):
        pair.run("sync", max_delete=3)
    assert len(pair.two.snapshot()) == 5


def test_dry_run_plans_without_changing() -> None:
    pair = Pair()
    pair.one.put("a", b"1", T0)
    report = pair.run("sync", dry_run=True)
    assert plan_lines(report) == ["copy path2 a"] and pair.two.snapshot() == {}
    assert pair.store.journal is None


def test_filters_and_syncignore() -> None:
    pair = Pair()
    pair.one.put(".syncignore", b"*.tmp\nbuild/\n", T0)
    pair.one.put("a.tmp", b"t", T0)
    pair.one.put("build/out.o", b"o", T0)
    pair.one.put("src/main.c", b"c", T0)
    pair.one.put("src/skip.log", b"l", T0)
    pair.run("sync", rules=(compile_rule("*.log", include=False),))
    assert pair.two.snapshot() == {".syncignore": b"*.tmp\nbuild/\n", "src/main.c": b"c"}


def test_checksum_mode_detects_same_size_same_time_edit() -> None:
    pair = Pair()
    pair.one.put("f", b"AAAA", T0)
    pair.two.put("f", b"BBBB", T0)
    assert pair.run("copy").plan.actions == ()
    pair.run("copy", checksum=True)
    assert pair.two.snapshot() == {"f": b"AAAA"}


def test_touched_file_gets_its_time_fixed_without_a_copy() -> None:
    pair = Pair()
    pair.one.put("t", b"same bytes", T0)
    pair.one.put("m", b"old bytes!", T0)
    pair.run("copy")
    pair.one.put("t", b"same bytes", T0 + 10**9)  # touched
    pair.one.put("m", b"new bytes!", T0 + 10**9)  # modified, same size
    pair.two.corrupt_next_writes = 5  # any write of "t" would fail verification
    report = pair.run("copy")
    assert [o.action.path for o in report.failures] == ["m"]
    assert pair.two.read("t") == b"same bytes"
    assert asyncio.run(pair.two.stat("t")).mtime_ns == T0 + 10**9


def test_bisync_touch_on_one_side_settles_without_trash() -> None:
    pair = Pair()
    pair.one.put("t", b"same", T0)
    pair.run()
    pair.two.put("t", b"same", T0 + 10**9)
    pair.run()
    assert pair.trash(pair.one) == {} and pair.trash(pair.two) == {}
    assert asyncio.run(pair.one.stat("t")).mtime_ns == T0 + 10**9
    assert pair.run().plan.actions == ()


class EditedWhileRead(MemoryProvider):
    """A source whose file is rewritten (same size, new time) while it is being read."""

    def __init__(self) -> None:
        super().__init__("one", chunk_size=4)
        self.edits_left = 3

    async def open_read(self, path: str, offset: int = 0, length: int | None = None):  # type: ignore[override]
        first = True
        async for chunk in super().open_read(path, offset, length):
            yield chunk
            if first and self.edits_left and path == "db.sqlite":
                first = False
                self.edits_left -= 1
                version = self.read(path)
                self.put(path, bytes(reversed(version)), T0 + (4 - self.edits_left) * 10**9)


def test_a_file_edited_during_its_copy_is_never_committed_torn() -> None:
    pair = Pair()
    pair.one = EditedWhileRead()
    pair.one.put("db.sqlite", b"AAAABBBBCCCC", T0)
    pair.one.put("calm.txt", b"steady", T0)
    report = pair.run("copy", transfers=1)
    assert [o.action.path for o in report.failures] == ["db.sqlite"]
    assert "changed while it was being copied" in report.failures[0].message
    assert pair.two.snapshot() == {"calm.txt": b"steady"}  # no mix of two versions
    settled = pair.run("copy")  # the edits stopped: the next run copies the new version
    assert not settled.failures
    assert pair.two.snapshot()["db.sqlite"] == pair.one.read("db.sqlite")
