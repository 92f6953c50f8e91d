"""Seeded property test: one-way sync of random permutations of names (swaps, cycles, renames
onto taken names, plain renames) plus edits, killed at a random destination change, converges.

Each case: a random tree synced once; then on the source a random permutation of some names,
a few files renamed over others, some edits and deletes; one sync killed after a random number
of destination changes (or not at all), then a normal sync. The destination must equal the
source, nothing parked may be left, every byte written must be content the destination did not
already hold, and a further sync must have nothing to do.
"""

from __future__ import annotations

import asyncio
import contextlib
import random

import pytest

from syncoxide.providers.memory import MemoryProvider

from .sync_harness import T0, Pair
from .test_sync_swaps import _die_after, _Killed

# Small random trees often lose more than half their files: not what this test is about.
UNSTOPPED: dict[str, object] = {"force": True, "allow_empty_side": True}


def _files(side: MemoryProvider) -> dict[str, bytes]:
    return {p: c for p, c in side.snapshot().items() if not p.startswith(".syncoxide/")}


def _shuffle_names(one: MemoryProvider, rng: random.Random) -> None:
    names = sorted(_files(one))
    moving = rng.sample(names, k=rng.randint(0, len(names)))
    targets = moving[:]
    rng.shuffle(targets)
    contents = {name: one.read(name) for name in moving}
    times = {name: asyncio.run(one.stat(name)).mtime_ns for name in moving}
    for old, new in zip(moving, targets, strict=True):  # a permutation: swaps and cycles
        one.put(new, contents[old], times[old])
    for _ in range(rng.randint(0, 2)):  # a rename over another name
        names = sorted(_files(one))
        if len(names) >= 2:
            old, new = rng.sample(names, 2)
            asyncio.run(one.delete(new))
            asyncio.run(one.move(old, new))


def _edit(one: MemoryProvider, rng: random.Random, serial: int) -> None:
    names = sorted(_files(one))
    for name in rng.sample(names, k=min(len(names), rng.randint(0, 2))):
        one.put(name, f"edit {serial} {name}".encode() * 50, T0 + 10**12 + serial)
    if names and rng.random() < 0.3:
        asyncio.run(one.delete(rng.choice(names)))


@pytest.mark.parametrize("seed", range(40))
def test_random_permutations_converge_without_resending(seed: int) -> None:
    rng = random.Random(seed)
    pair = Pair()
    for number in range(rng.randint(2, 7)):
        path = f"{rng.choice(['', 'd/'])}f{number}"
        pair.one.put(path, rng.randbytes(rng.randint(1, 4) * 1000), T0 + number * 10**9)
    pair.run("sync")
    _shuffle_names(pair.one, rng)
    _edit(pair.one, rng, seed)
    held = set(pair.two.snapshot().values())
    pair.two.bytes_written = 0
    restore = _die_after(pair.two, rng.randint(0, 6))
    with contextlib.suppress(_Killed):  # killed, or finished before the chosen change
        pair.run("sync", **UNSTOPPED)
    restore()
    report = pair.run("sync", **UNSTOPPED)
    assert not report.failures, (seed, report.failures)
    assert _files(pair.two) == _files(pair.one), seed
    assert pair.store.journal is None
    wanted = _files(pair.one).values()
    new_bytes = sum(len(c) for c in set(wanted) - held)
    assert pair.two.bytes_written <= new_bytes, seed  # moved, not sent again
    assert pair.run("sync").plan.actions == (), seed
