"""Property tests: names that differ only in case or Unicode form never cost content.

Hypothesis builds a few base names from letters that fold or decompose (``é``, ``ß``, the
Kelvin sign, ``Å``) and spells each file's name as one of them in some case and some Unicode
form, in folders that may also differ that way. Each side is a memory store that keeps names
exactly or ignores case while remembering spelling (NTFS, APFS). After copy, sync, move or
bisync, and once more:

- every file under a name a side holds twice for this pair is exactly where and as it was;
- no content is lost beyond what the mode itself replaces or deletes (bisync loses nothing);
- every other name converged, and the second run plans nothing.

A second property runs bisync over several rounds of edits, deletes and renames (the way a user
resolves a clash), checking the same after each round: no version is ever lost.
"""

from __future__ import annotations

import asyncio
import unicodedata
from collections import defaultdict

from hypothesis import given, settings
from hypothesis import strategies as st

from syncoxide.providers.memory import MemoryProvider

from .sync_harness import T0, Pair

UNSTOPPED = {"force": True, "allow_empty_side": True}
LETTERS = "aAbBeEé\u00c9ßk\u212aå\u00c5\u212b"
FOLDERS = ["", "d/", "D/", "\u00e9/", "e\u0301/"]
SPELLINGS = ["keep", "upper", "lower", "swap"]

base_names = st.lists(st.text(LETTERS, min_size=1, max_size=3), min_size=1, max_size=3)
placed = st.tuples(
    st.sampled_from(["one", "two"]),
    st.sampled_from(FOLDERS),
    st.integers(0, 2),
    st.sampled_from(SPELLINGS),
    st.sampled_from(["NFC", "NFD"]),
)


def spell(base: str, case: str, form: str) -> str:
    cased = {
        "keep": base,
        "upper": base.upper(),
        "lower": base.lower(),
        "swap": base.swapcase(),
    }[case]
    return unicodedata.normalize(form, cased) + ".txt"


def key_of(path: str, folds: bool) -> str:
    normal = unicodedata.normalize("NFC", path)
    return normal.casefold() if folds else normal


def holds(side: MemoryProvider, path: str) -> bool:
    """Whether ``path`` would overwrite a file the store already has."""
    names = side.snapshot()
    if side.features.case_sensitive:
        return path in names
    return any(name.casefold() == path.casefold() for name in names)


def clashing_keys(pair: Pair, folds: bool) -> set[str]:
    keys = set()
    for side in (pair.one, pair.two):
        count: dict[str, int] = defaultdict(int)
        for name in pair.user_files(side):
            count[key_of(name, folds)] += 1
        keys |= {key for key, n in count.items() if n > 1}
    return keys


def by_key(files: dict[str, bytes], folds: bool, leave_out: set[str]) -> dict[str, bytes]:
    return {key_of(n, folds): c for n, c in files.items() if key_of(n, folds) not in leave_out}


def everything(pair: Pair) -> set[bytes]:
    return set(pair.one.snapshot().values()) | set(pair.two.snapshot().values())


@settings(max_examples=200, deadline=None)
@given(
    bases=base_names,
    files=st.lists(placed, min_size=1, max_size=8),
    one_exact=st.booleans(),
    two_exact=st.booleans(),
    mode=st.sampled_from(["copy", "sync", "move", "bisync", "bisync-keep-both"]),
)
def test_case_and_unicode_twins_never_lose_content(bases, files, one_exact, two_exact, mode):
    pair = Pair(case_sensitive=one_exact, two_case_sensitive=two_exact)
    folds = not (one_exact and two_exact)
    for number, (side_name, folder, base, case, form) in enumerate(files):
        side = pair.one if side_name == "one" else pair.two
        path = folder + spell(bases[base % len(bases)], case, form)
        if not holds(side, path):
            side.put(path, f"{side_name}-{number}".encode(), T0 + number * 10**9)
    clashes = clashing_keys(pair, folds)
    before = {"one": pair.user_files(pair.one), "two": pair.user_files(pair.two)}
    frozen = {
        side: {n: c for n, c in tree.items() if key_of(n, folds) in clashes}
        for side, tree in before.items()
    }
    run_mode, policy = ("bisync", "keep-both") if mode == "bisync-keep-both" else (mode, "newer")

    report = pair.run(run_mode, policy=policy, **UNSTOPPED)
    assert not report.failures, report.failures
    reported = {(s.side.value, s.path) for s in report.plan.skipped if "name clash" in s.reason}
    for side, tree in frozen.items():
        assert {(f"path{1 if side == 'one' else 2}", name) for name in tree} <= reported
    after = {"one": pair.user_files(pair.one), "two": pair.user_files(pair.two)}
    for side, tree in frozen.items():
        assert tree.items() <= after[side].items(), "a clashing name was touched"

    kept = everything(pair)
    source_keys = {key_of(n, folds) for n in before["one"]}
    for content in before["one"].values():
        assert content in kept, "a path1 version vanished"
    for name, content in before["two"].items():
        replaced = run_mode != "bisync" and key_of(name, folds) in source_keys - clashes
        mirrored_away = run_mode == "sync" and key_of(name, folds) not in clashes
        if not (replaced or mirrored_away):
            assert content in kept, "a path2 version vanished"

    one_now = by_key(after["one"], folds, clashes)
    two_now = by_key(after["two"], folds, clashes)
    if run_mode == "bisync":
        assert one_now == two_now
    else:
        assert by_key(before["one"], folds, clashes).items() <= two_now.items()
    if run_mode == "sync":
        assert two_now.keys() <= by_key(before["one"], folds, clashes).keys()
    assert pair.run(run_mode, policy=policy, **UNSTOPPED).plan.actions == ()


change = st.tuples(
    st.sampled_from(["one", "two"]),
    st.sampled_from(["edit", "delete", "rename"]),
    st.integers(0, 20),
)


def _apply(pair: Pair, changes, stamp: int) -> None:
    for number, (side_name, kind, pick) in enumerate(changes):
        side = pair.one if side_name == "one" else pair.two
        names = sorted(pair.user_files(side))
        if not names:
            continue
        name = names[pick % len(names)]
        if kind == "edit":
            side.put(
                name,
                f"edit-{side_name}-{stamp}-{number}".encode(),
                T0 + (stamp * 10 + number) * 10**9,
            )
        elif kind == "delete":
            asyncio.run(side.delete(name))
        else:  # the user resolves a clash (or just renames) to a name nobody has
            asyncio.run(side.move(name, f"renamed-{stamp}-{number}.txt"))


@settings(max_examples=150, deadline=None)
@given(
    bases=base_names,
    files=st.lists(placed, min_size=1, max_size=8),
    one_exact=st.booleans(),
    two_exact=st.booleans(),
    policy=st.sampled_from(["newer", "keep-both"]),
    rounds=st.lists(st.lists(change, max_size=3), min_size=1, max_size=3),
)
def test_bisync_over_runs_keeps_every_version_while_names_clash_and_get_resolved(
    bases, files, one_exact, two_exact, policy, rounds
):
    pair = Pair(case_sensitive=one_exact, two_case_sensitive=two_exact)
    folds = not (one_exact and two_exact)
    for number, (side_name, folder, base, case, form) in enumerate(files):
        side = pair.one if side_name == "one" else pair.two
        path = folder + spell(bases[base % len(bases)], case, form)
        if not holds(side, path):
            side.put(path, f"{side_name}-{number}".encode(), T0 + number * 10**9)
    pair.run("bisync", policy=policy, **UNSTOPPED)
    for stamp, changes in enumerate(rounds, start=100):
        _apply(pair, changes, stamp)
        clashes = clashing_keys(pair, folds)
        before = everything(pair)
        frozen = [pair.user_files(side) for side in (pair.one, pair.two)]
        report = pair.run("bisync", policy=policy, **UNSTOPPED)
        assert not report.failures, report.failures
        assert before <= everything(pair), "a version vanished"
        for side, tree in zip((pair.one, pair.two), frozen, strict=True):
            untouched = {n: c for n, c in tree.items() if key_of(n, folds) in clashes}
            assert untouched.items() <= pair.user_files(side).items()
        one_now = by_key(pair.user_files(pair.one), folds, clashes)
        assert one_now == by_key(pair.user_files(pair.two), folds, clashes)
        assert pair.run("bisync", policy=policy, **UNSTOPPED).plan.actions == ()
