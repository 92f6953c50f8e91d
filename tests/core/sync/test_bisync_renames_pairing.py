"""Bisync rename pairing and planning, pure (runs in Pyodide too: plain ``random``, no IO)."""

from __future__ import annotations

import random
from dataclasses import replace

from syncoxide.providers.contract import Entry, EntryKind
from syncoxide.sync.bisync import BisyncOptions, plan_bisync
from syncoxide.sync.bisync_renames import BisyncRename, find_bisync_renames
from syncoxide.sync.filters import FilterSet
from syncoxide.sync.listing import Listing, build_listing
from syncoxide.sync.plan import Side, is_parked
from syncoxide.sync.state import PairRecord, PairState

T0 = 1_700_000_000 * 10**9


def f(path: str, size: int = 5, age: int = 0, digest: str | None = None) -> Entry:
    hashes = {"sha1": digest} if digest else {}
    return Entry(path, EntryKind.FILE, size, T0 + age * 10**9, hashes)


def listing(side: Side, *entries: Entry) -> Listing:
    return build_listing(entries, side, filters=FilterSet(()), case_sensitive=True)


def state_of(*entries: Entry) -> PairState:
    return PairState({e.path: PairRecord(e, e) for e in entries}, set())


def renames(one: Listing, two: Listing, state: PairState) -> list[BisyncRename]:
    return find_bisync_renames({Side.PATH1: one, Side.PATH2: two}, state, tolerance_ns=0)


def lines(one: Listing, two: Listing, state: PairState, found: list[BisyncRename]) -> list[str]:
    plan = plan_bisync(one, two, state, BisyncOptions(), renames=found)
    return [
        f"{a.kind.value} {a.side.value} {a.path}" + (" +backup" if a.backup else "")
        for a in plan.ordered()
    ]


def test_a_digest_match_is_sure_and_becomes_one_move_on_the_other_side() -> None:
    state = state_of(f("old", digest="h"))
    one = listing(Side.PATH1, f("new", age=7, digest="h"))
    two = listing(Side.PATH2, f("old"))
    found = renames(one, two, state)
    assert found == [BisyncRename(Side.PATH1, "new", "old", sure=True)]
    assert lines(one, two, state, found) == ["rename path2 new"]


def test_same_size_and_mtime_without_digests_is_only_a_guess() -> None:
    state = state_of(f("old"))
    found = renames(listing(Side.PATH1, f("new")), listing(Side.PATH2, f("old")), state)
    assert found == [BisyncRename(Side.PATH1, "new", "old", sure=False)]


def test_differing_digests_or_times_never_pair() -> None:
    state = state_of(f("old", digest="h"))
    two = listing(Side.PATH2, f("old"))
    assert renames(listing(Side.PATH1, f("new", digest="other")), two, state) == []
    assert (
        renames(
            listing(Side.PATH1, f("new", age=1)), listing(Side.PATH2, f("old")), state_of(f("old"))
        )
        == []
    )


def test_an_edit_on_the_other_side_moves_there_then_copies_back() -> None:
    state = state_of(f("old", digest="h"))
    one = listing(Side.PATH1, f("new", digest="h"))
    two = listing(Side.PATH2, f("old", size=9, age=3))
    found = renames(one, two, state)
    assert lines(one, two, state, found) == ["rename path2 new", "copy path1 new +backup"]


def test_nothing_pairs_when_the_other_side_lost_or_holds_the_name() -> None:
    state = state_of(f("old", digest="h"))
    one = listing(Side.PATH1, f("new", digest="h"))
    assert renames(one, listing(Side.PATH2), state) == []  # deleted there: "new" is new
    taken = listing(Side.PATH2, f("old"), f("new", size=5, age=2))
    assert renames(one, taken, state) == []  # "new" exists there: the usual rules decide


def test_empty_files_never_pair() -> None:
    state = state_of(f("old", size=0))
    assert (
        renames(listing(Side.PATH1, f("new", size=0)), listing(Side.PATH2, f("old", size=0)), state)
        == []
    )


def _random_case(rng: random.Random) -> tuple[Listing, Listing, PairState]:
    names = [f"n{i}" for i in range(8)]
    old = {
        n: f(n, rng.randint(0, 2), rng.randint(0, 1), rng.choice(["a", "b", None]))
        for n in rng.sample(names, 4)
    }
    sides = []
    for side in (Side.PATH1, Side.PATH2):
        now = {n: e for n, e in old.items() if rng.random() < 0.6}
        for n in rng.sample(names, 3):
            now.setdefault(
                n, f(n, rng.randint(0, 2), rng.randint(0, 1), rng.choice(["a", "b", None]))
            )
        sides.append(listing(side, *now.values()))
    return sides[0], sides[1], state_of(*old.values())


def _overwritten_here(key: str, mine: Listing, theirs: Listing, state: PairState) -> bool:
    before = state.files[key].one  # state_of records both sides alike
    here, there = mine.files.get(key), theirs.files.get(key)
    return (
        here is not None
        and there is not None
        and (here.size, here.mtime_ns) != (before.size, before.mtime_ns)
        and (there.size, there.mtime_ns) == (before.size, before.mtime_ns)
    )


def test_a_rename_onto_a_name_the_other_side_kept_trashes_it_then_moves() -> None:
    state = state_of(f("a", digest="h"), f("b", size=7, age=1, digest="k"))
    one = listing(Side.PATH1, f("b", digest="h"))  # "a" renamed over "b"
    two = listing(Side.PATH2, f("a"), f("b", size=7, age=1))
    found = renames(one, two, state)
    assert found == [BisyncRename(Side.PATH1, "b", "a", sure=True)]
    assert lines(one, two, state, found) == ["trash path2 b", "rename path2 b"]


def test_a_swap_is_a_park_two_moves_chain() -> None:
    state = state_of(f("a", digest="h"), f("b", size=7, age=1, digest="k"))
    one = listing(Side.PATH1, f("a", size=7, age=1, digest="k"), f("b", digest="h"))
    two = listing(Side.PATH2, f("a"), f("b", size=7, age=1))
    found = renames(one, two, state)
    assert sorted((r.old_key, r.new_key) for r in found) == [("a", "b"), ("b", "a")]
    assert lines(one, two, state, found) == [
        "rename path2 .sxpart-park-run-1",
        "rename path2 a",
        "rename path2 b",
    ]


def test_random_pairings_are_one_to_one_and_only_of_matching_files() -> None:
    rng = random.Random(2025)
    for _ in range(600):
        one, two, state = _random_case(rng)
        sides = {Side.PATH1: one, Side.PATH2: two}
        found = renames(one, two, state)
        olds = [(r.side, r.old_key) for r in found]
        assert len(set(olds)) == len(olds)
        for r in found:
            mine, theirs = sides[r.side], sides[r.side.other]
            new, before = mine.files[r.new_key], state.files[r.old_key].one
            assert r.old_key in theirs.files and r.old_key != r.new_key
            # The old name is gone here, or overwritten here while the other side kept it.
            assert r.old_key not in mine.files or _overwritten_here(r.old_key, mine, theirs, state)
            # The new name is new to both, or overwritten here while the other side kept it.
            assert (
                r.new_key not in theirs.files and r.new_key not in state.files
            ) or _overwritten_here(r.new_key, mine, theirs, state)
            assert new.size == before.size > 0
            if r.sure:
                assert new.hashes["sha1"] == before.hashes["sha1"]
            else:
                assert new.mtime_ns == before.mtime_ns and not (
                    new.hashes.keys() & before.hashes.keys()
                )
        plan = plan_bisync(one, two, state, BisyncOptions(), renames=found)
        moved_to = {
            (a.side, a.path)
            for a in plan.actions
            if a.kind.value == "rename" and not is_parked(a.path)
        }
        assert moved_to == {(r.side.other, r.new_key) for r in found}
        trashed = {(a.side, a.path) for a in plan.actions if a.kind.value == "trash"}
        assert not trashed & {(r.side.other, r.old_key) for r in found}  # moved, not trashed


def test_the_same_file_id_makes_a_guess_that_needs_no_read() -> None:
    old = replace(f("a", 9), file_id="8:100")
    state = state_of(old)
    one = listing(Side.PATH1, replace(f("b", 9), file_id="8:100"))
    (found,) = renames(one, listing(Side.PATH2, f("a", 9)), state)
    assert (found.old_key, found.new_key, found.sure, found.same_file) == ("a", "b", False, True)


def test_another_file_id_stays_a_plain_guess() -> None:
    state = state_of(replace(f("a", 9), file_id="8:100"))
    one = listing(Side.PATH1, replace(f("b", 9), file_id="8:101"))
    (found,) = renames(one, listing(Side.PATH2, f("a", 9)), state)
    assert not found.sure and not found.same_file


def test_the_same_file_id_with_another_mtime_is_no_rename() -> None:
    state = state_of(replace(f("a", 9), file_id="8:100"))
    one = listing(Side.PATH1, replace(f("b", 9, age=5), file_id="8:100"))
    assert renames(one, listing(Side.PATH2, f("a", 9)), state) == []


def test_among_lookalikes_the_old_name_with_the_same_file_id_is_chosen() -> None:
    twins = [replace(f(name, 9), file_id=f"8:{n}") for n, name in enumerate(["a", "c"])]
    state = state_of(*twins)
    one = listing(Side.PATH1, replace(f("b", 9), file_id="8:1"))  # c's file, renamed
    two = listing(Side.PATH2, f("a", 9), f("c", 9))
    (found,) = renames(one, two, state)
    assert (found.old_key, found.same_file) == ("c", True)
