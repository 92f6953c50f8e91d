"""Seeded property test: bisync with renames and edits on both sides converges, loses nothing,
and carries a pure rename without writing file content.

Plain ``random`` with fixed seeds (deterministic, reproducible from the seed in the message).
Each case: a random tree synced once, then on each side random renames (within and across
folders, and whole folders), edits, deletes and new files; one case in three renames only,
on one side.
"""

from __future__ import annotations

import asyncio
import random

import pytest

from syncoxide.providers.memory import MemoryProvider

from .sync_harness import T0, Pair

UNSTOPPED: dict[str, object] = {"force": True, "allow_empty_side": True}
FOLDERS = ["", "d0/", "d1/", "d1/e/"]


class _Script:
    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.clock = 0
        self.serial = 0

    def content(self) -> bytes:
        self.serial += 1
        return f"v{self.serial}:".encode() + self.rng.randbytes(self.rng.randint(1, 300))

    def stamp(self) -> int:
        self.clock += 1
        return T0 + self.clock * 10**9

    def fresh_path(self, taken: set[str]) -> str:
        while True:
            path = f"{self.rng.choice(FOLDERS)}f{self.rng.randint(0, 40)}"
            if path not in taken:
                return path


def _files(side: MemoryProvider) -> dict[str, bytes]:
    return {p: c for p, c in side.snapshot().items() if not p.startswith(".syncoxide/")}


def _rename(side: MemoryProvider, old: str, new: str) -> None:
    asyncio.run(side.move(old, new))


def _rename_folder(side: MemoryProvider, script: _Script) -> None:
    """Move a whole folder (with its subfolders) to a name no side has used yet."""
    folders = sorted({path.rsplit("/", 1)[0] for path in _files(side) if "/" in path})
    if folders:
        script.serial += 1
        _rename(side, script.rng.choice(folders), f"m{script.serial}")


def _change_side(side: MemoryProvider, script: _Script, *, renames_only: bool) -> None:
    for _ in range(script.rng.randint(1, 5)):
        files = _files(side)
        taken = set(files)
        ops = (
            ["rename", "folder"] if renames_only else ["rename", "folder", "edit", "delete", "new"]
        )
        op = script.rng.choice(ops)
        if op != "new" and not files:
            continue
        victim = script.rng.choice(sorted(files)) if files else ""
        if op == "folder":
            _rename_folder(side, script)
        elif op == "rename":
            _rename(side, victim, script.fresh_path(taken))
        elif op == "edit":
            side.put(victim, script.content(), script.stamp())
        elif op == "delete":
            side._objects.pop(victim)
        else:
            side.put(script.fresh_path(taken), script.content(), script.stamp())


def _versions(pair: Pair) -> set[bytes]:
    return set(pair.one.snapshot().values()) | set(pair.two.snapshot().values())


@pytest.mark.parametrize("seed", range(300))
def test_bisync_with_renames_converges_and_keeps_every_version(seed: int) -> None:
    rng = random.Random(seed)
    script = _Script(rng)
    pair = Pair()
    for _ in range(rng.randint(1, 8)):
        pair.one.put(script.fresh_path(set(_files(pair.one))), script.content(), script.stamp())
    pair.run("bisync", **UNSTOPPED)
    renames_only = seed % 3 == 0
    sides = [pair.one] if renames_only else [pair.one, pair.two]
    rng.shuffle(sides)
    where_before = {content: path for path, content in _files(pair.one).items()}
    for side in sides:
        _change_side(side, script, renames_only=renames_only)
    where_after = {content: path for path, content in _files(pair.one).items()}
    # A pure rename leaves its old name free and takes a name no file had at the last run;
    # a name that was reused (a swap, a chain onto a vacated name) is a changed file instead.
    relocated = {c: p for c, p in where_after.items() if where_before.get(c) not in (None, p)}
    pure = {
        c
        for c, p in relocated.items()
        if where_before[c] not in where_after.values() and p not in where_before.values()
    }
    moved = len(pure)
    recopied = sum(len(c) for c in relocated if c not in pure)
    before = _versions(pair)
    for side in (pair.one, pair.two):
        side.bytes_written = 0
    report = pair.run("bisync", **UNSTOPPED)
    assert not report.failures, f"seed {seed}: {report.failures}"
    assert _files(pair.one) == _files(pair.two), f"seed {seed}"
    assert before <= _versions(pair), f"seed {seed}: a version vanished"
    if renames_only:
        moves = sum(1 for a in report.plan.actions if a.kind.value == "rename")
        assert moves == moved, f"seed {seed}: {moves} of {moved} renames carried"
        assert pair.two.bytes_written == recopied, f"seed {seed}: a rename wrote file content"
    assert pair.run("bisync", **UNSTOPPED).plan.actions == (), f"seed {seed}: did not converge"
