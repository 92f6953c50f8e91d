"""Golden planner scenarios: two trees (+ saved state) in, the expected plan out. Pure."""

from dataclasses import replace

from syncoxide.providers.contract import Entry, EntryKind
from syncoxide.sync.bisync import BisyncOptions, carry_digests, plan_bisync
from syncoxide.sync.clashes import set_aside_clashes
from syncoxide.sync.conflicts import ConflictPolicy
from syncoxide.sync.filters import FilterSet, compile_rule
from syncoxide.sync.listing import build_listing
from syncoxide.sync.one_way import OneWayOptions, plan_one_way
from syncoxide.sync.plan import Mode, Side
from syncoxide.sync.state import PairRecord, PairState

T0 = 1_700_000_000 * 10**9
NOW = 1_700_000_000.0


def f(path: str, size: int = 1, age: int = 0) -> Entry:
    return Entry(path, EntryKind.FILE, size, T0 + age * 10**9)


def d(path: str) -> Entry:
    return Entry(path, EntryKind.DIR)


def listing(side: Side, *entries: Entry, rules=(), case_sensitive: bool = True):
    return build_listing(entries, side, filters=FilterSet(rules), case_sensitive=case_sensitive)


def lines(plan) -> list[str]:
    out = []
    for a in plan.ordered():
        extra = f" <- {a.source_path}" if a.source_path and a.source_path != a.path else ""
        flags = (" +backup" if a.backup else "") + (" +delete-source" if a.delete_source else "")
        out.append(f"{a.kind.value} {a.side.value} {a.path}{extra}{flags}")
    return out


def one_way(mode: Mode, src, dst, **kw) -> list[str]:
    return lines(plan_one_way(src, dst, OneWayOptions(mode, **kw)))


def test_copy_new_changed_and_unchanged_never_deletes() -> None:
    src = listing(Side.PATH1, d("a"), f("a/new"), f("same"), f("changed", 2))
    dst = listing(Side.PATH2, f("same"), f("changed", 1), f("extra"))
    assert one_way(Mode.COPY, src, dst) == [
        "mkdir path2 a",
        "copy path2 a/new",
        "copy path2 changed",
    ]


def test_sync_mirrors_deletes_files_then_folders_deepest_first() -> None:
    src = listing(Side.PATH1, f("keep"))
    dst = listing(Side.PATH2, f("keep"), d("old"), d("old/deeper"), f("old/deeper/x"))
    assert one_way(Mode.SYNC, src, dst) == [
        "delete path2 old/deeper/x",
        "rmdir path2 old/deeper",
        "rmdir path2 old",
    ]


def test_sync_never_touches_excluded_destination_files() -> None:
    rules = [compile_rule("*.tmp", include=False)]
    src = listing(Side.PATH1, f("a"), rules=rules)
    dst = listing(Side.PATH2, f("a"), f("scratch.tmp"), rules=rules)
    assert one_way(Mode.SYNC, src, dst) == []


def test_move_copies_then_deletes_sources_and_verifies_twins() -> None:
    src = listing(Side.PATH1, d("dir"), f("dir/x"), f("there"))
    dst = listing(Side.PATH2, f("there"))
    assert one_way(Mode.MOVE, src, dst) == [
        "mkdir path2 dir",
        "copy path2 dir/x +delete-source",
        "copy path2 there +delete-source",
        "rmdir path1 dir",
    ]


def test_checksum_mode_compares_digests_not_times() -> None:
    same = Entry("a", EntryKind.FILE, 3, T0, {"sha1": "aa"})
    other_time = Entry("a", EntryKind.FILE, 3, T0 + 5, {"sha1": "aa"})
    src, dst = listing(Side.PATH1, same), listing(Side.PATH2, other_time)
    assert one_way(Mode.COPY, src, dst, checksum=True) == []
    assert one_way(Mode.COPY, src, dst) == ["copy path2 a"]


def test_unicode_nfd_and_nfc_pair_up_and_keep_destination_spelling() -> None:
    nfd, nfc = "cafe\u0301.txt", "caf\u00e9.txt"
    src = listing(Side.PATH1, f(nfd, 5))
    dst = listing(Side.PATH2, f(nfc, 4))
    plan = plan_one_way(src, dst, OneWayOptions(Mode.SYNC))
    assert [(a.kind.value, a.path, a.source_path) for a in plan.actions] == [("copy", nfc, nfd)]


def test_case_insensitive_destination_pairs_case_variants() -> None:
    src = listing(Side.PATH1, f("Readme.md"), case_sensitive=False)
    dst = listing(Side.PATH2, f("README.md"), case_sensitive=False)
    assert one_way(Mode.SYNC, src, dst) == []


def test_symlinks_are_reported_not_followed() -> None:
    link = Entry("l", EntryKind.SYMLINK, link_target="/etc")
    plan = plan_one_way(listing(Side.PATH1, link), listing(Side.PATH2), OneWayOptions(Mode.SYNC))
    assert plan.actions == ()
    assert [s.reason for s in plan.skipped] == ["symlink not followed -> /etc"]


def test_reserved_folder_and_partials_are_invisible() -> None:
    src = listing(
        Side.PATH1,
        d(".syncoxide"),
        f(".syncoxide/trash/x"),
        Entry(".sxpart-01", EntryKind.PARTIAL, 3),
    )
    assert src.files == {} and src.dirs == {} and len(src.partials) == 1


def test_file_against_folder_is_reported() -> None:
    src = listing(Side.PATH1, f("x"))
    dst = listing(Side.PATH2, d("x"))
    plan = plan_one_way(src, dst, OneWayOptions(Mode.COPY))
    assert lines(plan) == []
    assert [s.reason for s in plan.skipped] == ["a folder of that name exists at the destination"]


# -- bisync ----------------------------------------------------------------------------------


def state_of(*entries: Entry, dirs=()) -> PairState:
    return PairState({e.path: PairRecord(e, e) for e in entries}, set(dirs))


def bisync(one, two, state, policy=ConflictPolicy.NEWER) -> list[str]:
    opts = BisyncOptions(policy=policy, now=NOW)
    return lines(plan_bisync(one, two, state, opts))


def test_bisync_first_run_unions_both_sides() -> None:
    one = listing(Side.PATH1, f("only1"), f("both"))
    two = listing(Side.PATH2, f("only2"), f("both"))
    assert bisync(one, two, PairState()) == ["copy path2 only1", "copy path1 only2"]


def test_bisync_propagates_new_changed_deleted_each_way() -> None:
    state = state_of(f("c1"), f("c2"), f("del1"), f("del2"))
    one = listing(Side.PATH1, f("c1", 2), f("c2"), f("del2"), f("new1"))
    two = listing(Side.PATH2, f("c1"), f("c2", 3), f("del1"))
    assert bisync(one, two, state) == [
        "trash path2 del1",
        "trash path1 del2",
        "copy path2 c1 +backup",
        "copy path1 c2 +backup",
        "copy path2 new1",
    ]


def test_bisync_change_beats_delete() -> None:
    state = state_of(f("x"))
    one = listing(Side.PATH1)
    two = listing(Side.PATH2, f("x", 9))
    assert bisync(one, two, state) == ["copy path1 x"]


def test_bisync_both_changed_identically_settles_without_conflict() -> None:
    state = state_of(f("x"))
    one, two = listing(Side.PATH1, f("x", 5, 7)), listing(Side.PATH2, f("x", 5, 7))
    assert bisync(one, two, state) == []


def test_bisync_equal_digests_at_other_times_touch_the_older_copy_forward() -> None:
    state = state_of(f("x"))
    older = replace(f("x", 5, 3), hashes={"sha1": "same"})
    newer = replace(f("x", 5, 8), hashes={"sha1": "same"})
    one, two = listing(Side.PATH1, older), listing(Side.PATH2, newer)
    assert bisync(one, two, state) == ["touch path1 x"]
    fixed = BisyncOptions(now=NOW, settable_mtimes=frozenset({Side.PATH2}))
    assert lines(plan_bisync(one, two, state, fixed)) == []  # path1 cannot: state keeps both
    other = listing(Side.PATH2, replace(newer, hashes={"sha1": "other"}))
    assert bisync(one, other, state) == ["copy path1 x +backup"]  # a real conflict


def test_bisync_carries_kept_digests_into_unchanged_files_only() -> None:
    kept = replace(f("x"), hashes={"sha1": "d1"})
    state = PairState({"x": PairRecord(kept, kept), "y": PairRecord(kept, kept)})
    side = listing(Side.PATH1, f("x"), f("y", age=1))
    carry_digests(side, Side.PATH1, state, tolerance_ns=0)
    assert side.files["x"].hashes == {"sha1": "d1"} and side.files["y"].hashes == {}


def _conflict(policy: ConflictPolicy) -> list[str]:
    state = state_of(f("doc.txt"))
    one = listing(Side.PATH1, f("doc.txt", 10, age=5))  # larger, older
    two = listing(Side.PATH2, f("doc.txt", 3, age=9))  # smaller, newer
    return bisync(one, two, state, policy)


def test_conflict_policies_pick_their_winner() -> None:
    assert _conflict(ConflictPolicy.NEWER) == ["copy path1 doc.txt +backup"]
    assert _conflict(ConflictPolicy.OLDER) == ["copy path2 doc.txt +backup"]
    assert _conflict(ConflictPolicy.LARGER) == ["copy path2 doc.txt +backup"]
    assert _conflict(ConflictPolicy.PATH1) == ["copy path2 doc.txt +backup"]
    assert _conflict(ConflictPolicy.PATH2) == ["copy path1 doc.txt +backup"]


def test_keep_both_renames_the_loser_beside_the_winner() -> None:
    loser = "doc.conflict-20231114-221320-path1.txt"
    assert _conflict(ConflictPolicy.KEEP_BOTH) == [
        f"rename path1 {loser} <- doc.txt",
        "copy path1 doc.txt",
        f"copy path2 {loser}",
    ]


def test_bisync_folders_new_and_deleted() -> None:
    state = state_of(dirs=["gone", "kept"])
    one = listing(Side.PATH1, d("kept"), d("fresh"))
    two = listing(Side.PATH2, d("kept"), d("gone"))
    assert bisync(one, two, state) == ["mkdir path2 fresh", "rmdir path2 gone"]


def test_bisync_deleted_folder_stays_when_other_side_added_inside() -> None:
    state = state_of(dirs=["box"])
    one = listing(Side.PATH1)
    two = listing(Side.PATH2, d("box"), f("box/new"))
    assert bisync(one, two, state) == ["mkdir path1 box", "copy path1 box/new"]


def test_a_name_clash_leaves_its_key_out_of_every_plan_on_both_sides() -> None:
    sides = {
        Side.PATH1: listing(
            Side.PATH1, f("Report.txt"), f("report.txt"), f("x"), case_sensitive=False
        ),
        Side.PATH2: listing(Side.PATH2, f("REPORT.TXT", 5), case_sensitive=False),
    }
    assert set_aside_clashes(sides, folding=[Side.PATH2]) == {"report.txt"}
    one, two = sides[Side.PATH1], sides[Side.PATH2]
    assert sorted(one.files) == ["x"] and two.files == {} and list(two.held) == ["report.txt"]
    assert [s.path for s in one.skipped + two.skipped] == ["Report.txt", "report.txt", "REPORT.TXT"]
    assert one_way(Mode.SYNC, one, two) == ["copy path2 x"]
    state = PairState({"report.txt": PairRecord(f("report.txt"), f("REPORT.TXT"))})
    plan = plan_bisync(one, two, state, BisyncOptions(case_sensitive=False, now=NOW))
    assert lines(plan) == ["copy path2 x"]


def test_folder_spellings_merge_and_all_of_them_go_when_the_folder_goes() -> None:
    src = listing(Side.PATH1, f("keep"), case_sensitive=False)
    dst = listing(
        Side.PATH2, f("keep"), d("Old"), d("old"), f("Old/a"), f("old/b"), case_sensitive=False
    )
    assert sorted(dst.files) == ["keep", "old/a", "old/b"] and not dst.clashes
    assert one_way(Mode.SYNC, src, dst) == [
        "delete path2 Old/a",
        "delete path2 old/b",
        "rmdir path2 Old",
        "rmdir path2 old",
    ]
