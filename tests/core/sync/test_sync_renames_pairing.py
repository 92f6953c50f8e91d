"""Rename pairing is safe: only equal size and equal digest pair, each file at most once."""

from __future__ import annotations

import random

from syncoxide.providers.contract import Entry, EntryKind
from syncoxide.sync.listing import Listing
from syncoxide.sync.one_way import OneWayOptions, plan_one_way
from syncoxide.sync.plan import Mode, Plan
from syncoxide.sync.renames import pair_renames, rename_candidates, same_bytes_both_sides

_Spec = dict[str, tuple[int, str | None, int]]


def _random_spec(rng: random.Random) -> _Spec:
    """Small trees where sizes, digests and mtimes often collide (Pyodide has no hypothesis)."""
    names = ["".join(rng.choices("abcdef", k=rng.randint(1, 3))) for _ in range(rng.randint(0, 8))]
    return {
        n: (rng.randint(0, 3), rng.choice(["h1", "h2", None]), rng.randint(0, 2)) for n in names
    }


def _entries(spec: _Spec) -> dict[str, Entry]:
    return {
        path: Entry(path, EntryKind.FILE, size, mtime, {"sha1": digest} if digest else {})
        for path, (size, digest, mtime) in spec.items()
    }


def test_pairs_join_only_identical_content_once() -> None:
    rng = random.Random(2512)
    for _ in range(500):
        source, dest = _entries(_random_spec(rng)), _entries(_random_spec(rng))
        pairs = pair_renames(source, dest, "sha1")
        assert len(set(pairs.values())) == len(pairs)
        for new, old in pairs.items():
            assert source[new].size == dest[old].size
            assert source[new].hashes["sha1"] == dest[old].hashes["sha1"]
        # Every pairable file found a partner: no identical pair is left to copy + delete.
        unpaired_new = {(e.size, e.hashes.get("sha1")) for k, e in source.items() if k not in pairs}
        unpaired_old = {
            (e.size, e.hashes.get("sha1")) for k, e in dest.items() if k not in pairs.values()
        }
        assert not {p for p in unpaired_new & unpaired_old if p[1] is not None}


def _sync_plan(source: Listing, dest: Listing) -> Plan:
    return plan_one_way(source, dest, OneWayOptions(Mode.SYNC))


def test_candidates_are_files_the_plan_copies_or_drops_of_a_shared_size() -> None:
    source = Listing(
        files=_entries(
            {"new": (5, None, 0), "kept": (5, None, 0), "odd": (7, None, 0), "edit": (5, None, 1)}
        )
    )
    dest = Listing(
        files=_entries(
            {"old": (5, None, 0), "kept": (5, None, 0), "void": (0, None, 0), "edit": (5, None, 0)}
        )
    )
    # "edit" is both: its source bytes may have come from elsewhere, its old ones moved on.
    plan = _sync_plan(source, dest)
    assert rename_candidates(plan, source, dest) == ({"new", "edit"}, {"old", "edit"})


def test_a_file_edited_in_place_is_not_read_for_renames() -> None:
    source = Listing(files=_entries({"big": (9, None, 5), "other": (4, None, 5)}))
    dest = Listing(files=_entries({"big": (9, None, 0), "gone": (7, None, 0)}))
    assert rename_candidates(_sync_plan(source, dest), source, dest) == (set(), set())


def test_files_whose_only_change_is_their_time_stay_put() -> None:
    source = _entries({"t": (5, "h1", 9), "u": (5, "h2", 9)})
    dest = _entries({"t": (5, "h1", 0), "u": (5, "h3", 0)})
    assert same_bytes_both_sides(source, dest, "sha1") == {"t"}


def test_equal_mtime_wins_among_identical_files() -> None:
    source = _entries({"n": (4, "h1", 2)})
    dest = _entries({"a": (4, "h1", 1), "b": (4, "h1", 2)})
    assert pair_renames(source, dest, "sha1") == {"n": "b"}
